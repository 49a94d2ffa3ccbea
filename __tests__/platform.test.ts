import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PlatformConfig } from '../lib/config/schema';
import { Naming } from '../lib/naming';
import { exampleConfig, synthesize, type TerraformJson } from './support/synth';

/** The example platform with only some of its pipelines: the same platform before onboarding (or after offboarding). */
function withPipelines(platform: PlatformConfig, names: string[]): PlatformConfig {
  return { ...platform, pipelines: platform.pipelines.filter((p) => names.includes(p.name)) };
}

/** Every stack's synthesized file, byte for byte, by stack name. */
function bytesOf(platform: PlatformConfig): Record<string, string> {
  const { outdir, stacks } = synthesize(platform);
  return Object.fromEntries(
    Object.keys(stacks).map((name) => [name, readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')]),
  );
}

describe('onboarding a pipeline whose accounts and regions the platform already serves', () => {
  const full = exampleConfig();
  const before = withPipelines(full, ['webapp']);
  const api = full.pipelines.find((p) => p.name === 'api')!;
  const apiStacks = new Naming(api).allStacks().sort();
  const bytesBefore = bytesOf(before);
  const bytesAfter = bytesOf(full);

  it('serves the accounts and regions already (the premise of the comparison)', () => {
    const served = new Set(before.pipelines.flatMap((p) => [...p.targets.map((t) => t.account.id), p.source.kind === 'codecommit' ? p.source.account.id : '']));
    for (const target of api.targets) expect(served.has(target.account.id)).toBe(true);
    expect(before.regions).toEqual(full.regions);
  });

  it("adds exactly the pipeline's own stacks", () => {
    const added = Object.keys(bytesAfter).filter((name) => !(name in bytesBefore)).sort();
    expect(added).toEqual(apiStacks);
    expect(Object.keys(bytesBefore).filter((name) => !(name in bytesAfter))).toEqual([]);
  });

  it("changes no byte of any stack that existed before: the foundation's policies do not list pipelines", () => {
    for (const [name, text] of Object.entries(bytesBefore)) expect({ name, same: bytesAfter[name] === text }).toEqual({ name, same: true });
  });

  it('puts the new stacks into the apply order in their waves: base after the platform, the pipeline last', () => {
    const { applyOrder } = synthesize(full);
    const waveOf = (name: string) => applyOrder.waves.findIndex((wave) => wave.includes(name));
    for (const name of apiStacks) expect(waveOf(name)).toBeGreaterThanOrEqual(0);
    expect(waveOf('api-base')).toBeGreaterThan(waveOf('platform'));
    expect(applyOrder.dependsOn['api-pipeline']).toEqual(apiStacks.filter((s) => s !== 'api-pipeline'));
    for (const name of apiStacks) expect(waveOf('api-pipeline')).toBeGreaterThanOrEqual(waveOf(name));
  });

  it("and offboarding it removes exactly its stacks, leaving every other stack's bytes as they were", () => {
    // The same comparison read the other way: the platform without api is the platform before it was onboarded.
    const removed = Object.keys(bytesAfter).filter((name) => !(name in bytesBefore)).sort();
    expect(removed).toEqual(apiStacks);
    for (const [name, text] of Object.entries(bytesBefore)) expect(bytesAfter[name]).toBe(text);
  });
});

/** Where a stack keeps its state, whatever the backend: a local file, an S3 object or a Terraform Cloud workspace. */
function stateOf(stack: TerraformJson): string {
  const { backend, cloud } = stack.terraform;
  if (backend?.local) return `local:${path.normalize(backend.local.path)}`;
  if (backend?.s3) return `s3:${backend.s3.bucket}/${backend.s3.key}`;
  if (cloud) return `tfc:${cloud.organization}/${cloud.workspaces.name}`;
  throw new Error('a stack without a backend');
}

describe('state never collides', () => {
  const example = exampleConfig();
  /** The example's stacks under another platform name: the same stack names, the same backend settings. */
  const renamed = (platform: PlatformConfig, name: string): PlatformConfig => ({
    ...platform,
    name,
    pipelines: platform.pipelines.map((p) => ({ ...p, platform: name, project: `${name}-${p.name}` })),
  });
  const backends: Array<[string, PlatformConfig['backend']]> = [
    ['local files', { type: 'local', directory: 'terraform-state' }],
    ['one S3 bucket and prefix', { type: 's3', bucket: 'state', region: 'eu-west-1', keyPrefix: 'delivery', locking: 'lockfile' }],
    [
      'one Terraform Cloud organization',
      {
        type: 'terraform-cloud',
        hostname: 'app.terraform.io',
        organization: 'acme',
        outputs: 'tfe_outputs',
        bootstrap: { enabled: true, autoApply: false, createOidcProvider: true },
      },
    ],
  ];

  it.each(backends)('gives every stack of two platforms synthesized into one project its own state: %s', (_label, backend) => {
    const withBackend = (platform: PlatformConfig): PlatformConfig => ({
      ...platform,
      backend,
      pipelines: platform.pipelines.map((p) => ({ ...p, backend })),
    });
    const states = [withBackend(example), withBackend(renamed(example, 'beta'))].flatMap((platform) =>
      Object.entries(synthesize(platform).stacks).map(([stack, json]) => ({ platform: platform.name, stack, state: stateOf(json) })),
    );
    // Both platforms have the same stack names: only the platform in the state location keeps them apart.
    expect(states.filter((s) => s.platform === 'beta').map((s) => s.stack).sort()).toEqual(
      states.filter((s) => s.platform === 'acme').map((s) => s.stack).sort(),
    );
    const byState = new Map<string, string[]>();
    for (const s of states) byState.set(s.state, [...(byState.get(s.state) ?? []), `${s.platform}/${s.stack}`]);
    expect([...byState.entries()].filter(([, users]) => users.length > 1)).toEqual([]);
    expect(states.length).toBe(byState.size);
  });
});
