import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateConfig } from '../lib/config/generate';
import { loadConfig } from '../lib/config/load';
import type { PlatformConfig } from '../lib/config/schema';
import { synthesizeAtomically } from '../lib/synth';
import { buildStacks } from '../main';
import { blocks, config, exampleConfig, synthesize } from './support/synth';

function filesUnder(dir: string, base = dir): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) Object.assign(files, filesUnder(full, base));
    else files[path.relative(base, full)] = readFileSync(full, 'utf8');
  }
  return files;
}

const releaseFlow = loadConfig({ PIPELINE_CONFIG: 'config/examples/release-flow.yaml' }).config;

function addressesOf(cfg: PlatformConfig): Record<string, string[]> {
  const { stacks } = synthesize(cfg);
  return Object.fromEntries(
    Object.entries(stacks).map(([name, stack]) => [
      name,
      blocks(stack)
        .map(([kind, type, id]) => `${kind === 'data' ? 'data.' : ''}${type}.${id}`)
        .sort(),
    ]),
  );
}

describe('stable output', () => {
  it.each([
    ['the example', exampleConfig()],
    ['the release-flow example (every kind, waves, two regions)', releaseFlow],
  ])('synthesizes the same bytes twice from the same configuration: %s', (_label, cfg) => {
    const first = synthesize(cfg).outdir;
    const second = path.join(mkdtempSync(path.join(tmpdir(), 'cdktf-again-')), 'out');
    synthesizeAtomically(second, (app) => buildStacks(app, cfg));
    const a = filesUnder(first);
    const b = filesUnder(second);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const file of Object.keys(a)) expect({ file, text: b[file] }).toEqual({ file, text: a[file] });
    expect(JSON.stringify(a)).not.toContain(tmpdir());
  });

  it('keeps every resource address of the example (a change here replaces or orphans real resources)', () => {
    expect(addressesOf(exampleConfig())).toMatchSnapshot();
  });

  it('keeps every resource address of the release-flow example', () => {
    expect(addressesOf(releaseFlow)).toMatchSnapshot();
  });

  it('uses readable addresses without hash suffixes', () => {
    const { stacks } = synthesize(config(generateConfig(2)));
    for (const stack of Object.values(stacks)) {
      for (const [, , id] of blocks(stack)) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});
