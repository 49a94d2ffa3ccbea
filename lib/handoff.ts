import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type ApplyOrder, destroyOrder } from './apply-order';
import { parseHcl } from './hcl/equivalence';
import { splitConfiguration } from './hcl/split';

/** Also in lib/synth.ts (which imports this file); repeated here so the two do not import each other. */
const DESTROY_ORDER_FILE = 'destroy-order.json';

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed HCL is untyped */

/** Written inside the output directory of an HCL synth. */
const HANDOFF_DIR = 'handoff';

interface ManifestStack {
  name: string;
  synthesizedStackPath: string;
  dependencies: string[];
}

/** Where a stack keeps its state, as words and as a key that a reader's data source can be matched to. */
interface StateLocation {
  key: string;
  text: string;
  kind: 'local' | 's3' | 'terraform-cloud' | 'other';
}

interface AccountUse {
  account: string;
  region: string;
  role: string;
  provider: string;
}

interface Read {
  producer: string;
  outputs: string[];
}

interface StackFacts {
  name: string;
  hcl: string;
  state: StateLocation;
  /** The oldest Terraform that reads its backend, and why. */
  terraform: TerraformRequirement;
  accounts: AccountUse[];
  otherProviders: string[];
  reads: Read[];
  outputs: Array<{ name: string; description: string }>;
  resources: Map<string, number>;
  /** Data sources by `<type>.<name>`, as parsed. */
  data: Map<string, any>;
}

/**
 * Writes `<outdir>/handoff/`: for every stack a Terraform root module
 * (main.tf, versions.tf, backend.tf) and a README, and a top README with the
 * order of applies and the commands, for a team that only runs Terraform.
 * Everything is read from what the HCL synth wrote: manifest.json,
 * apply-order.json and each stack's cdk.tf.
 */
export async function writeHandoff(outdir: string): Promise<void> {
  const manifest = readJson(path.join(outdir, 'manifest.json')) as { stacks: Record<string, ManifestStack> };
  const order = readJson(path.join(outdir, 'apply-order.json')) as ApplyOrder;
  const facts = new Map<string, StackFacts>();
  for (const name of order.order) {
    const stack = manifest.stacks[name];
    const hcl = readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8');
    facts.set(name, await stackFacts(name, hcl));
  }
  resolveReads(facts, manifest.stacks);

  const root = path.join(outdir, HANDOFF_DIR);
  for (const stack of facts.values()) {
    const dir = path.join(root, stack.name);
    mkdirSync(dir, { recursive: true });
    const files = splitConfiguration(stack.hcl);
    writeFileSync(path.join(dir, 'main.tf'), files.main);
    writeFileSync(path.join(dir, 'versions.tf'), withRequiredVersion(files.versions, stack.terraform.minimum));
    writeFileSync(path.join(dir, 'backend.tf'), files.backend);
    writeFileSync(path.join(dir, 'README.md'), stackReadme(stack, facts, order));
  }
  writeFileSync(path.join(root, 'README.md'), topReadme(facts, order));
  writeFileSync(path.join(root, 'apply-order.json'), `${JSON.stringify(order, null, 2)}\n`);
  writeFileSync(path.join(root, DESTROY_ORDER_FILE), `${JSON.stringify(destroyOrder(order), null, 2)}\n`);
}

/** The oldest Terraform release a root module's backend works with, and the reasons, newest first. */
export interface TerraformRequirement {
  minimum: string;
  reasons: string[];
}

/**
 * What a hand-off team needs at least, from the stack's backend. The
 * baseline is 1.5, the version the project documents and tests its HCL
 * against (and the first with `import` blocks, docs/upgrade.md); nothing
 * older is claimed to work.
 * - s3 `assume_role = { ... }`: the nested attribute came with Terraform 1.6
 *   (https://github.com/hashicorp/terraform/pull/33625, "Target Release 1.6.0").
 * - s3 `use_lockfile`: S3-native state locking came with 1.10
 *   (https://developer.hashicorp.com/terraform/language/v1.10.x/upgrade-guides#s3-native-state-locking),
 *   generally available in 1.11.
 * - `cloud` block with `workspaces { project }`: the project attribute came
 *   with 1.6 (https://github.com/hashicorp/terraform/pull/33489, tracked for v1.6 in
 *   https://github.com/hashicorp/terraform-schema/issues/206).
 */
export function requiredTerraform(terraform: any): TerraformRequirement {
  const needs: Array<[string, string]> = [['1.5', 'the baseline this project tests its HCL against']];
  const cloud = first(terraform.cloud);
  if (cloud && first(cloud.workspaces)?.project !== undefined) needs.push(['1.6', 'the `cloud` block names a project']);
  const [type, body] = entries(terraform.backend)[0] ?? [];
  const config = first(body) ?? {};
  if (type === 's3' && config.assume_role !== undefined) needs.push(['1.6', 'the S3 backend assumes a role with `assume_role = { ... }`']);
  if (type === 's3' && config.use_lockfile) needs.push(['1.10', 'the S3 backend locks with a lock file (`use_lockfile`)']);
  const newest = (a: string, b: string) => (compareVersions(a, b) >= 0 ? a : b);
  const minimum = needs.map(([v]) => v).reduce(newest);
  return { minimum, reasons: needs.filter(([v]) => v === minimum).map(([, why]) => why) };
}

function compareVersions(a: string, b: string): number {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** versions.tf with `required_version` first in its `terraform` block (laid out as `terraform fmt` does). */
export function withRequiredVersion(versions: string, minimum: string): string {
  const line = `  required_version = ">= ${minimum}"`;
  if (versions.trim() === '') return `terraform {\n${line}\n}\n`;
  if (!versions.startsWith('terraform {\n')) throw new Error(`versions.tf does not start with a terraform block: ${versions.slice(0, 40)}`);
  return `terraform {\n${line}\n\n${versions.slice('terraform {\n'.length)}`;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

const first = (value: any): any => (Array.isArray(value) ? value[0] : value);
const entries = (value: any): Array<[string, any]> => Object.entries(value ?? {});

async function stackFacts(name: string, hcl: string): Promise<StackFacts> {
  const parsed = await parseHcl(`${name}/cdk.tf`, hcl);
  const terraform = first(parsed.terraform) ?? {};
  const accounts: AccountUse[] = [];
  const otherProviders: string[] = [];
  for (const [provider, configs] of entries(parsed.provider)) {
    for (const config of configs as any[]) {
      const alias = config.alias ? `${provider}.${config.alias}` : provider;
      if (provider !== 'aws') {
        otherProviders.push(alias);
        continue;
      }
      for (const account of config.allowed_account_ids ?? ['(any)']) {
        accounts.push({ account, region: config.region ?? '', role: first(config.assume_role)?.role_arn ?? '(your own credentials)', provider: alias });
      }
    }
  }
  const resources = new Map<string, number>();
  for (const [type, byName] of entries(parsed.resource)) resources.set(type, Object.keys(byName).length);
  const data = new Map<string, any>();
  for (const [type, byName] of entries(parsed.data)) for (const [id, body] of entries(byName)) data.set(`${type}.${id}`, first(body));
  return {
    name,
    hcl,
    state: ownState(name, terraform),
    terraform: requiredTerraform(terraform),
    accounts,
    otherProviders,
    reads: [],
    outputs: entries(parsed.output).map(([output, body]) => ({ name: output, description: first(body).description ?? '' })),
    resources,
    data,
  };
}

function ownState(stack: string, terraform: any): StateLocation {
  const cloud = first(terraform.cloud);
  if (cloud) return cloudState(cloud.organization, first(cloud.workspaces)?.name, cloud.hostname, first(cloud.workspaces)?.project);
  const [type, body] = entries(terraform.backend)[0] ?? [];
  // cdktf gives every stack a backend (local when none is set), so this is a broken input.
  if (type === undefined) throw new Error(`stack ${stack} has no backend`);
  return locationOf(type, first(body));
}

function locationOf(type: string, config: any): StateLocation {
  switch (type) {
    case 'local':
      return { kind: 'local', key: `local:${config.path}`, text: `local file \`${config.path}\`, relative to the stack folder` };
    case 's3': {
      const lock = config.use_lockfile ? 'locked by a lock file beside it' : config.dynamodb_table ? `locked in DynamoDB table \`${config.dynamodb_table}\`` : 'not locked';
      const role = first(config.assume_role)?.role_arn;
      return {
        kind: 's3',
        key: `s3:${config.bucket}/${config.key}`,
        text: `S3 object \`s3://${config.bucket}/${config.key}\` in ${config.region}, ${lock}${role ? `, read and written as \`${role}\`` : ''}`,
      };
    }
    case 'remote':
      return cloudState(config.organization, first(config.workspaces)?.name, config.hostname);
    default:
      return { kind: 'other', key: `${type}:${JSON.stringify(config)}`, text: `\`${type}\` backend` };
  }
}

function cloudState(organization: string, workspace: string, hostname = 'app.terraform.io', project?: string): StateLocation {
  return {
    kind: 'terraform-cloud',
    key: `tfc:${organization}/${workspace}`,
    text: `Terraform Cloud workspace \`${workspace}\`${project ? ` in project \`${project}\`` : ''} of organization \`${organization}\` on ${hostname}`,
  };
}

const OUTPUT_REFERENCE = /data\.(terraform_remote_state|tfe_outputs)\.([\w-]+)\.(?:outputs|nonsensitive_values)\.([\w-]+)/g;

/** Which producer each remote-state read points at (by the producer's own state location), and which outputs it uses. */
function resolveReads(facts: Map<string, StackFacts>, manifest: Record<string, ManifestStack>): void {
  const producerAt = new Map([...facts.values()].map((f) => [f.state.key, f.name] as const));
  for (const stack of facts.values()) {
    const used = new Map<string, Set<string>>();
    for (const [, kind, id, output] of stack.hcl.matchAll(OUTPUT_REFERENCE)) {
      const key = `${kind}.${id}`;
      if (!used.has(key)) used.set(key, new Set());
      used.get(key)!.add(output);
    }
    const reads = new Map<string, Set<string>>();
    for (const [key, outputs] of used) {
      const producer = producerAt.get(readLocation(stack, key));
      if (!producer) throw new Error(`stack ${stack.name}: data.${key} reads a state that no stack of this app writes`);
      if (!manifest[stack.name].dependencies.includes(producer)) {
        throw new Error(`stack ${stack.name} reads outputs of ${producer} but does not depend on it`);
      }
      reads.set(producer, new Set([...(reads.get(producer) ?? []), ...outputs]));
    }
    stack.reads = [...reads].map(([producer, outputs]) => ({ producer, outputs: [...outputs].sort() }));
  }
}

/** The state location that data source `<type>.<name>` of a stack reads. */
function readLocation(stack: StackFacts, dataKey: string): string {
  const block = stack.data.get(dataKey);
  if (dataKey.startsWith('tfe_outputs.')) return `tfc:${block.organization}/${block.workspace}`;
  return locationOf(block.backend, block.config).key;
}

// --- READMEs ----------------------------------------------------------------

function stepOf(order: ApplyOrder, name: string): number {
  return order.waves.findIndex((wave) => wave.includes(name)) + 1;
}

function consumersOf(facts: Map<string, StackFacts>, name: string): StackFacts[] {
  return [...facts.values()].filter((f) => f.reads.some((r) => r.producer === name));
}

const code = (text: string) => `\`${text}\``;
const list = (items: string[]) => (items.length > 0 ? items.map(code).join(', ') : 'none');

function stackReadme(stack: StackFacts, facts: Map<string, StackFacts>, order: ApplyOrder): string {
  const step = stepOf(order, stack.name);
  const after = order.dependsOn[stack.name] ?? [];
  const before = Object.keys(order.dependsOn).filter((other) => order.dependsOn[other].includes(stack.name)).sort();
  const out: string[] = [
    `# Stack \`${stack.name}\``,
    '',
    `A Terraform root module: run \`terraform init\`, \`terraform plan\` and \`terraform apply\` in this folder.`,
    '',
    '## Place in the apply order',
    '',
    `Step ${step} of ${order.waves.length}. ` +
      (after.length > 0 ? `Apply it after ${list(after)}. ` : 'It depends on no other stack. ') +
      (before.length > 0 ? `Apply ${list(before)} after it.` : 'No stack depends on it.'),
    '',
    '## Account and role',
    '',
  ];
  if (stack.accounts.length > 0) {
    out.push('| AWS account | Region | Role Terraform assumes there | Provider |', '| --- | --- | --- | --- |');
    for (const a of stack.accounts) out.push(`| ${a.account} | ${a.region} | ${code(a.role)} | ${code(a.provider)} |`);
    out.push('', `The credentials Terraform runs with must be allowed to assume ${stack.accounts.length > 1 ? 'these roles' : 'this role'}; each provider refuses to work in any other account.`);
  } else {
    out.push('This stack manages no AWS account.');
  }
  if (stack.otherProviders.length > 0) out.push('', `Other providers: ${list(stack.otherProviders)}.`);
  out.push('', '## State', '', `${capitalize(stack.state.text)}; see \`backend.tf\`. ${RUNS_WHERE[stack.state.kind]}`);
  out.push('', '## Reads outputs of', '');
  if (stack.reads.length === 0) out.push('No other stack.');
  else {
    out.push('| Stack | Its state | Outputs read |', '| --- | --- | --- |');
    for (const read of stack.reads) {
      out.push(`| ${code(read.producer)} | ${facts.get(read.producer)!.state.text} | ${list(read.outputs)} |`);
    }
    out.push('', 'Those stacks must have been applied; when their outputs change, plan and apply this stack again.');
  }
  out.push('', '## Outputs', '');
  if (stack.outputs.length === 0) out.push('None.');
  else {
    const readers = consumersOf(facts, stack.name);
    out.push('| Output | Description | Read by |', '| --- | --- | --- |');
    for (const output of stack.outputs) {
      const readBy = readers.filter((r) => r.reads.some((read) => read.producer === stack.name && read.outputs.includes(output.name)));
      out.push(`| ${code(output.name)} | ${output.description} | ${list(readBy.map((r) => r.name))} |`);
    }
  }
  const resourceCount = [...stack.resources.values()].reduce((a, b) => a + b, 0);
  out.push('', '## What it manages', '', `${resourceCount} resources and ${stack.data.size} data sources:`, '');
  for (const [type, count] of [...stack.resources].sort(([a], [b]) => a.localeCompare(b))) out.push(`- ${code(type)} × ${count}`);
  out.push(
    '',
    '## Files',
    '',
    '- `main.tf`: providers, data sources, resources and outputs',
    `- \`versions.tf\`: the Terraform version it needs (>= ${stack.terraform.minimum}: ${stack.terraform.reasons.join('; ')}) and the providers, pinned to exact versions`,
    '- `backend.tf`: where the state lives',
  );
  return `${out.join('\n')}\n`;
}

function terraformVersionLines(stacks: StackFacts[]): string[] {
  const byMinimum = new Map<string, StackFacts[]>();
  for (const stack of stacks) byMinimum.set(stack.terraform.minimum, [...(byMinimum.get(stack.terraform.minimum) ?? []), stack]);
  const lines = ['Each folder\'s `versions.tf` sets `required_version` from its backend; `terraform init` refuses an older Terraform.', ''];
  for (const [minimum, group] of [...byMinimum].sort(([a], [b]) => compareVersions(b, a))) {
    const names = group.length === stacks.length ? 'Every stack' : list(group.map((g) => g.name));
    lines.push(`- ${names}: Terraform ${minimum} or later (${[...new Set(group.flatMap((g) => g.terraform.reasons))].join('; ')}).`);
  }
  return lines;
}

function topReadme(facts: Map<string, StackFacts>, order: ApplyOrder): string {
  const stacks = [...facts.values()];
  const kinds = new Set(stacks.map((f) => f.state.kind));
  const out: string[] = [
    '# Terraform hand-off',
    '',
    'Plain Terraform for every stack of this project, generated from the CDK for Terraform app by `npm run synth:hcl`.',
    'Each folder is a Terraform root module with its own state; nothing here needs Node.js or cdktf.',
    'Resource addresses are the same as in the cdktf app, so a team can take the existing state over and maintain these files from now on.',
    '',
    '## Order of applies',
    '',
    'Apply the steps in order. Stacks of one step do not depend on each other and may be applied in parallel.',
    'Destroy in the reverse order.',
    '',
    '| Step | Stack | Reads outputs of | Manages |',
    '| --- | --- | --- | --- |',
  ];
  order.waves.forEach((wave, i) => {
    for (const name of wave) {
      const stack = facts.get(name)!;
      const accounts = [...new Set(stack.accounts.map((a) => `${a.account} (${a.region})`))].join(', ') || '—';
      out.push(`| ${i + 1} | [${code(name)}](${name}/README.md) | ${list(stack.reads.map((r) => r.producer))} | ${accounts} |`);
    }
  });
  out.push(
    '',
    '## Commands',
    '',
    'For each stack, in the order above:',
    '',
    '```sh',
    'cd <stack>',
    'terraform init',
    'terraform plan -out=tfplan',
    'terraform apply tfplan',
    'cd ..',
    '```',
    '',
    'Or all of them, one after another:',
    '',
    '```sh',
    `for stack in ${order.order.join(' ')}; do`,
    '  terraform -chdir="$stack" init -input=false &&',
    '  terraform -chdir="$stack" apply || break',
    'done',
    '```',
    '',
    'Each `terraform apply` without a plan file shows its plan and asks before it changes anything; the loop stops at the first failure or refusal.',
    '',
    '## Terraform version',
    '',
    ...terraformVersionLines(stacks),
    '',
    '## Where to keep these files, and the lock file',
    '',
    'This folder is written by `npm run synth:hcl` inside `cdktf.out/`, which is git-ignored and replaced whole by every synth:',
    'nothing you add here survives the next synth. To hand it over, copy it into the repository your team keeps Terraform in,',
    'and commit each folder\'s `.terraform.lock.hcl` with it (written by the first `terraform init`, or for several platforms at once by',
    '`terraform providers lock`, which needs no backend):',
    '',
    '```sh',
    'cp -R cdktf.out/handoff/. ../infrastructure/pipelines/   # any folder of your own repository',
    'cd ../infrastructure/pipelines',
    `for stack in ${order.order.join(' ')}; do`,
    '  terraform -chdir="$stack" providers lock -platform=linux_amd64 -platform=darwin_arm64 || break',
    'done',
    'git add . && git commit -m "Terraform hand-off of the pipelines"',
    '```',
    '',
    'The lock file records the provider checksums of every platform your team runs Terraform on, so an init on another',
    'machine verifies the same packages. Every provider is pinned to an exact version in `versions.tf`.',
    '',
    '## Networks without registry access',
    '',
    'Terraform downloads providers from registry.terraform.io during `terraform init`. Where that is not reachable, fill a',
    'mirror on a machine that can reach it and point Terraform at the mirror',
    '([`terraform providers mirror`](https://developer.hashicorp.com/terraform/cli/commands/providers/mirror)):',
    '',
    '```sh',
    '# with registry access; each run adds the providers of one folder to the same mirror',
    `for stack in ${order.order.join(' ')}; do`,
    '  terraform -chdir="$stack" providers mirror -platform=linux_amd64 /path/to/mirror || break',
    'done',
    '```',
    '',
    'Then, on the closed network, in the Terraform CLI configuration (`~/.terraformrc`):',
    '',
    '```hcl',
    'provider_installation {',
    '  filesystem_mirror {',
    '    path = "/path/to/mirror"',
    '  }',
    '}',
    '```',
    '',
    'or once per folder: `terraform init -plugin-dir=/path/to/mirror`.',
    '',
    '## Before the first run',
    '',
    '- Every AWS provider assumes the role named in its stack README: the credentials you run Terraform with must be allowed to assume it.',
  );
  if (kinds.has('local')) {
    out.push('- Local state paths are relative to each stack folder and point at the project\'s state directory; keep the folder where it is, or change `backend.tf` (and the `terraform_remote_state` paths in `main.tf`) when you move it.');
  }
  if (kinds.has('s3')) out.push('- The state bucket (and lock table, if any) must exist; your credentials need read and write access to the state objects.');
  if (kinds.has('terraform-cloud')) {
    out.push(
      '- Run `terraform login` for the Terraform Cloud host once. With the `cloud` block, plans and applies run in Terraform Cloud, in the workspace named in `backend.tf`.',
    );
  }
  if (stacks.some((f) => [...f.data.keys()].some((key) => key.startsWith('tfe_outputs.')))) {
    out.push('- A stack that reads outputs with `tfe_outputs` needs `TFE_TOKEN` (a token that may read those workspaces\' outputs) where it runs.');
  }
  if (stacks.some((f) => /prevent_destroy\s*=\s*true/.test(f.hcl))) {
    out.push('- Keys, buckets and repositories have `prevent_destroy = true`; to destroy one on purpose, remove that line first.');
  }
  if (kinds.has('local')) {
    out.push('- When you copy the folder elsewhere, the local state paths in `backend.tf` (and the `terraform_remote_state` paths in `main.tf`) still point at the project\'s state directory: move the state files with the folder or change the paths.');
  }
  out.push(
    '',
    'The same order is in `apply-order.json` (`order`, `waves`, `dependsOn`) for scripts.',
    '',
    '## Tear-down',
    '',
    'Destroy in the reverse order of the applies: `destroy-order.json` (`order`, `waves`, `dependedOnBy`). Before destroying',
    'a pipeline\'s stacks, remove what its deployments created outside Terraform (CloudFormation stacks, ECS task definition',
    'revisions, CodeDeploy deployments): the project\'s `docs/teardown.md` lists them with the commands.',
  );
  return `${out.join('\n')}\n`;
}

const RUNS_WHERE: Record<StateLocation['kind'], string> = {
  local: 'Terraform runs where you run it, and the state file stays on that machine: nobody else sees it and nothing locks it.',
  s3: 'Terraform runs where you run it; the state is shared through the bucket and locked while a run writes it.',
  'terraform-cloud':
    'Plans and applies run in Terraform Cloud, with the workspace\'s variables and credentials; `terraform login` once before the first `terraform init`.',
  other: 'See the backend\'s documentation for where Terraform runs and who can read the state.',
};

function capitalize(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}
