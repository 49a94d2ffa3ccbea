import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { shippedExamples } from '../lib/examples';

/**
 * One codebase, two dependency sets: package.json on cdktf and
 * variants/cdk-terrain on CDK Terrain (docs/cdk-terrain.md). For every shipped
 * example both must synthesize the same stacks, resources and attributes;
 * only the provider version pins and the framework version in the metadata
 * may differ. `.ci/run` synthesizes every example with each
 * (bin/synth-examples.ts) and names the two output directories in
 * CDKTF_EXAMPLES_DIR and CDK_TERRAIN_EXAMPLES_DIR.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
type Json = Record<string, any>;

/** What may differ between the variants, taken out: `//.metadata.version` and every `required_providers.*.version`. */
function withoutVersions(stack: Json): Json {
  const copy = structuredClone(stack);
  if (copy['//']?.metadata) delete copy['//'].metadata.version;
  for (const provider of Object.values<Json>(copy.terraform?.required_providers ?? {})) delete provider.version;
  return copy;
}

interface Output {
  manifest: Json;
  stacks: Record<string, Json>;
  applyOrder: Json;
}

function readOutput(dir: string): Output {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const stacks = Object.fromEntries(
    Object.entries<Json>(manifest.stacks).map(([name, stack]) => [name, JSON.parse(readFileSync(path.join(dir, stack.synthesizedStackPath), 'utf8'))]),
  );
  return { manifest, stacks, applyOrder: JSON.parse(readFileSync(path.join(dir, 'apply-order.json'), 'utf8')) };
}

function comparable({ manifest, stacks, applyOrder }: Output): Json {
  const { version: _frameworkVersion, ...rest } = manifest;
  return {
    manifest: rest,
    applyOrder,
    stacks: Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, withoutVersions(stack)])),
  };
}

describe('what may differ between the variants', () => {
  const stack = (changes: { framework?: string; pin?: string; source?: string; stackName?: string; bucket?: string } = {}): Json => ({
    '//': { metadata: { version: changes.framework ?? '0.21.0', stackName: changes.stackName ?? 'pipeline', backend: 'local' } },
    terraform: { required_providers: { aws: { source: changes.source ?? 'hashicorp/aws', version: changes.pin ?? '6.25.0' } } },
    resource: { aws_s3_bucket: { artifacts: { bucket: changes.bucket ?? 'artifacts', lifecycle: { prevent_destroy: true } } } },
  });

  it('is the provider version pin and the framework version in the metadata', () => {
    expect(withoutVersions(stack({ framework: '0.24.0', pin: '6.66.0' }))).toEqual(withoutVersions(stack()));
  });

  it('is nothing else: the provider source, the stack metadata and every attribute still count', () => {
    for (const change of [{ source: 'opentofu/aws' }, { stackName: 'other' }, { bucket: 'renamed' }]) {
      expect(withoutVersions(stack(change))).not.toEqual(withoutVersions(stack()));
    }
  });
});

const dirs = { cdktf: process.env.CDKTF_EXAMPLES_DIR, cdkTerrain: process.env.CDK_TERRAIN_EXAMPLES_DIR };
const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';

if (dirs.cdktf && dirs.cdkTerrain) {
  const { cdktf, cdkTerrain } = dirs as { cdktf: string; cdkTerrain: string };

  describe('cdktf and CDK Terrain', () => {
    it('are two different frameworks: the synth records a different framework version', () => {
      const versions = [cdktf, cdkTerrain].map((dir) => readOutput(path.join(dir, 'example')).manifest.version);
      expect(versions[0]).not.toEqual(versions[1]);
    });

    it.each(shippedExamples().map((e) => e.name))('synthesize the same stacks, resources and attributes for %s', (name) => {
      const [a, b] = [cdktf, cdkTerrain].map((dir) => readOutput(path.join(dir, name)));
      expect(Object.keys(a.stacks).length).toBeGreaterThan(0);
      expect(comparable(b)).toEqual(comparable(a));
    });
  });
} else if (inCi) {
  it('gets the synth of both variants from .ci/run (CDKTF_EXAMPLES_DIR, CDK_TERRAIN_EXAMPLES_DIR)', () => {
    throw new Error('CI must compare the two variants: set CDKTF_EXAMPLES_DIR and CDK_TERRAIN_EXAMPLES_DIR (see .ci/run)');
  });
} else {
  // Outside CI the other dependency set is usually not installed: docs/cdk-terrain.md says how to run the comparison.
  it.skip('cdktf and CDK Terrain synthesize the same resources (needs CDKTF_EXAMPLES_DIR and CDK_TERRAIN_EXAMPLES_DIR)', () => undefined);
}
