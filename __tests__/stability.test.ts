import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateConfig } from '../lib/config/generate';
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

describe('stable output', () => {
  it('synthesizes the same bytes twice from the same configuration', () => {
    const first = synthesize(exampleConfig()).outdir;
    const second = path.join(mkdtempSync(path.join(tmpdir(), 'cdktf-again-')), 'out');
    synthesizeAtomically(second, (app) => buildStacks(app, exampleConfig()));
    const a = filesUnder(first);
    const b = filesUnder(second);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const file of Object.keys(a)) expect({ file, text: b[file] }).toEqual({ file, text: a[file] });
    expect(JSON.stringify(a)).not.toContain(tmpdir());
  });

  it('keeps every resource address of the example (a change here replaces or orphans real resources)', () => {
    const { stacks } = synthesize(exampleConfig());
    const addresses = Object.fromEntries(
      Object.entries(stacks).map(([name, stack]) => [
        name,
        blocks(stack)
          .map(([kind, type, id]) => `${kind === 'data' ? 'data.' : ''}${type}.${id}`)
          .sort(),
      ]),
    );
    expect(addresses).toMatchSnapshot();
  });

  it('uses readable addresses without hash suffixes', () => {
    const { stacks } = synthesize(config(generateConfig(2)));
    for (const stack of Object.values(stacks)) {
      for (const [, , id] of blocks(stack)) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });
});
