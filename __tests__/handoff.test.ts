import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../lib/config/load';
import { canonical, parseHcl } from '../lib/hcl/equivalence';
import { exampleConfig, synthesize, synthesizeHcl, type TerraformJson } from './support/synth';

const configurations = {
  'the example (local state)': exampleConfig(),
  'the Terraform Cloud example': loadConfig({ PIPELINE_CONFIG: 'config/examples/terraform-cloud.yaml' }).config,
};

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
    expect(readdirSync(handoff).sort()).toEqual(['README.md', 'apply-order.json', ...Object.keys(stacks)].sort());
    for (const stack of Object.keys(stacks)) {
      expect(readdirSync(path.join(handoff, stack)).sort()).toEqual(['README.md', 'backend.tf', 'main.tf', 'versions.tf']);
    }
    expect(JSON.parse(read('apply-order.json'))).toEqual(applyOrder);
  });

  it('splits each stack into files that together mean exactly its JSON synth', async () => {
    for (const [stack, json] of Object.entries(stacks)) {
      const files = await Promise.all(['main.tf', 'versions.tf', 'backend.tf'].map((f) => parseHcl(f, read(stack, f))));
      expect({ stack, config: canonical(merged(files)) }).toEqual({ stack, config: canonical(json) });
      expect(read(stack, 'backend.tf')).toMatch(/^terraform \{\n {2}(backend "\w+"|cloud) \{\n/);
      expect(read(stack, 'main.tf')).not.toMatch(/^terraform \{/m);
    }
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
      const state = json.terraform.cloud?.workspaces.name ?? json.terraform.backend?.local?.path;
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
