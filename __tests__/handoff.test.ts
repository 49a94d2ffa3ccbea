import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../lib/config/load';
import { requiredTerraform, withRequiredVersion } from '../lib/handoff';
import { canonical, parseHcl } from '../lib/hcl/equivalence';
import { exampleConfig, synthesize, synthesizeHcl, type TerraformJson } from './support/synth';

const configurations = {
  'the example (local state)': exampleConfig(),
  'the Terraform Cloud example': loadConfig({ PIPELINE_CONFIG: 'config/examples/terraform-cloud.yaml' }).config,
  'the S3 backend example': loadConfig({ PIPELINE_CONFIG: 'config/examples/s3-backend.yaml' }).config,
};

/** `terraform` on PATH: `terraform fmt` needs no registry and no cloud. */
const terraformOnPath = spawnSync('terraform', ['version'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } }).status === 0;

/** Parsed HCL files of one folder as one configuration: Terraform merges the `terraform` blocks of a directory. */
function merged(files: Array<Record<string, any>>): Record<string, any> {
  const out: Record<string, any> = {};
  for (const file of files) {
    for (const [key, value] of Object.entries(file)) {
      out[key] = key === 'terraform' && out.terraform ? [{ ...out.terraform[0], ...value[0] }] : { ...out[key], ...value };
    }
  }
  return out;
}

describe.each(Object.entries(configurations))('the hand-off of %s', (_label, cfg) => {
  const { stacks, applyOrder } = synthesize(cfg);
  let handoff: string;
  beforeAll(async () => {
    handoff = path.join(await synthesizeHcl(cfg), 'handoff');
  });
  const read = (...parts: string[]) => readFileSync(path.join(handoff, ...parts), 'utf8');

  it('has one Terraform root module per stack: main.tf, versions.tf, backend.tf and a README', () => {
    expect(readdirSync(handoff).sort()).toEqual(['README.md', 'apply-order.json', 'destroy-order.json', ...Object.keys(stacks)].sort());
    for (const stack of Object.keys(stacks)) {
      expect(readdirSync(path.join(handoff, stack)).sort()).toEqual(['README.md', 'backend.tf', 'main.tf', 'versions.tf']);
    }
    expect(JSON.parse(read('apply-order.json'))).toEqual(applyOrder);
    expect(JSON.parse(read('destroy-order.json')).waves).toEqual([...applyOrder.waves].reverse());
  });

  it('splits each stack into files that together mean exactly its JSON synth', async () => {
    for (const [stack, json] of Object.entries(stacks)) {
      const files = await Promise.all(['main.tf', 'versions.tf', 'backend.tf'].map((f) => parseHcl(f, read(stack, f))));
      // required_version is what the hand-off adds (see the test of it below); the rest is the JSON synth.
      const config = merged(files);
      expect(config.terraform[0].required_version).toMatch(/^>= 1\.\d+$/);
      delete config.terraform[0].required_version;
      expect({ stack, config: canonical(config) }).toEqual({ stack, config: canonical(json) });
      expect(read(stack, 'backend.tf')).toMatch(/^terraform \{\n {2}(backend "\w+"|cloud) \{\n/);
      expect(read(stack, 'main.tf')).not.toMatch(/^terraform \{/m);
    }
  });

  it('sets required_version in each root module from its backend, and says so in the READMEs', async () => {
    for (const [stack, json] of Object.entries<TerraformJson>(stacks)) {
      const versions = await parseHcl('versions.tf', read(stack, 'versions.tf'));
      const backend = json.terraform.backend ?? {};
      const expected = backend.s3?.use_lockfile ? '1.10' : backend.s3?.assume_role || json.terraform.cloud?.workspaces.project ? '1.6' : '1.5';
      expect({ stack, required: versions.terraform[0].required_version }).toEqual({ stack, required: `>= ${expected}` });
      expect(read(stack, 'README.md')).toContain(`the Terraform version it needs (>= ${expected}:`);
    }
    expect(read('README.md')).toMatch(/## Terraform version\n\nEach folder's `versions.tf` sets `required_version`/);
  });

  it('tells to copy the folder out of the git-ignored cdktf.out and commit the lock files there, and how to use a provider mirror', () => {
    const readme = read('README.md');
    expect(readme).toContain('`cdktf.out/`, which is git-ignored');
    expect(readme).toContain('cp -R cdktf.out/handoff/.');
    expect(readme).toContain('providers lock -platform=linux_amd64');
    expect(readme).toContain('providers mirror -platform=linux_amd64 /path/to/mirror');
    expect(readme).toMatch(/provider_installation \{\n {2}filesystem_mirror \{/);
    expect(readme).not.toMatch(/^Commit the `\.terraform\.lock\.hcl` that the first `terraform init` writes in each folder\.$/m);
  });

  (terraformOnPath ? it : it.skip)('is `terraform fmt` clean (terraform on PATH)', () => {
    const fmt = spawnSync('terraform', ['fmt', '-check', '-recursive', '-list=true', handoff], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
    expect({ status: fmt.status, unformatted: fmt.stdout }).toEqual({ status: 0, unformatted: '' });
  });

  it('keeps local state paths pointing at the same files as from cdktf.out/stacks', () => {
    for (const [stack, json] of Object.entries(stacks)) {
      const local = json.terraform.backend?.local;
      if (!local) continue;
      expect(path.resolve(handoff, stack, local.path)).toBe(path.resolve(handoff, '..', 'stacks', stack, local.path));
    }
  });

  it('tells the order of applies, step by step, and the commands, at the top', () => {
    const readme = read('README.md');
    const rows = [...readme.matchAll(/^\| (\d+) \| \[`([\w-]+)`\]\(([\w-]+)\/README\.md\) \|/gm)].map(([, step, stack, link]) => {
      expect(link).toBe(stack);
      return [Number(step), stack];
    });
    expect(rows).toEqual(applyOrder.waves.flatMap((wave, i) => wave.map((stack) => [i + 1, stack])));
    expect(readme).toContain(`for stack in ${applyOrder.order.join(' ')}; do`);
    for (const command of ['terraform init', 'terraform plan -out=tfplan', 'terraform apply tfplan']) expect(readme).toContain(command);
  });

  it('says in each stack README which account and role it manages, where its state is, what it reads and what it outputs', () => {
    for (const [stack, json] of Object.entries<TerraformJson>(stacks)) {
      const readme = read(stack, 'README.md');
      const step = applyOrder.waves.findIndex((wave) => wave.includes(stack)) + 1;
      expect(readme).toContain(`Step ${step} of ${applyOrder.waves.length}.`);
      for (const producer of applyOrder.dependsOn[stack]) expect(readme).toContain(`\`${producer}\``);
      for (const provider of json.provider.aws) {
        expect(readme).toContain(`| ${provider.allowed_account_ids[0]} | ${provider.region} | \`${provider.assume_role[0].role_arn}\` |`);
      }
      const state = json.terraform.cloud?.workspaces.name ?? json.terraform.backend?.local?.path ?? json.terraform.backend?.s3?.key;
      expect(readme).toContain(state);
      for (const [output, body] of Object.entries<any>(json.output ?? {})) expect(readme).toContain(`| \`${output}\` | ${body.description} |`);
      expect(readme).not.toMatch(/\.ts\b|TypeScript/);
    }
  });

  it('lists, for a consumer, each producer with exactly the outputs it reads', () => {
    const readme = read('webapp-pipeline', 'README.md');
    const text = JSON.stringify(stacks['webapp-pipeline']);
    const used = [...text.matchAll(/\$\{data\.[\w]+\.remote_webapp_base\.(?:outputs|nonsensitive_values)\.([\w-]+)\}/g)].map(([, o]) => o);
    const row = readme.split('\n').find((line) => line.startsWith('| `webapp-base` |'))!;
    expect(row.split(' | ').pop()!.replace(/ \|$/, '')).toBe([...new Set(used)].sort().map((o) => `\`${o}\``).join(', '));
  });
});

describe('the Terraform version a root module needs', () => {
  const s3 = (config: Record<string, unknown>) => ({ backend: { s3: [{ bucket: 'b', key: 'k', region: 'eu-west-1', ...config }] } });

  it('is 1.5 for local state, 1.6 for a role-assuming S3 backend or a cloud block with a project, 1.10 for S3 lock files', () => {
    expect(requiredTerraform({ backend: { local: [{ path: 'x.tfstate' }] } }).minimum).toBe('1.5');
    expect(requiredTerraform(s3({ dynamodb_table: 't' })).minimum).toBe('1.5');
    expect(requiredTerraform(s3({ dynamodb_table: 't', assume_role: { role_arn: 'arn:aws:iam::1:role/r' } })).minimum).toBe('1.6');
    expect(requiredTerraform(s3({ use_lockfile: true, assume_role: { role_arn: 'arn:aws:iam::1:role/r' } }))).toEqual({
      minimum: '1.10',
      reasons: ['the S3 backend locks with a lock file (`use_lockfile`)'],
    });
    expect(requiredTerraform({ cloud: [{ organization: 'o', workspaces: [{ name: 'w', project: 'p' }] }] }).minimum).toBe('1.6');
    expect(requiredTerraform({ cloud: [{ organization: 'o', workspaces: [{ name: 'w' }] }] }).minimum).toBe('1.5');
  });

  it('goes first in the terraform block of versions.tf, also when there are no providers', () => {
    expect(withRequiredVersion('terraform {\n  required_providers {\n  }\n}\n', '1.10')).toBe(
      'terraform {\n  required_version = ">= 1.10"\n\n  required_providers {\n  }\n}\n',
    );
    expect(withRequiredVersion('', '1.5')).toBe('terraform {\n  required_version = ">= 1.5"\n}\n');
  });
});
