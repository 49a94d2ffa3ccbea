import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cdktfCliEntry } from '../lib/cdktf-cli';
import { exampleConfig, synthesize } from './support/synth';

/**
 * The cdktf CLI runs the app named in cdktf.json (`node dist/main.js`), and
 * `cdktf diff`, `cdktf deploy` and `cdktf output` work from what it
 * synthesizes: the stacks and the dependencies in manifest.json.
 */
describe('cdktf synth through the CLI', () => {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'cdktf-cli-')), 'cdktf.out');
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', PIPELINE_CONFIG: 'config/example.yaml' };
  let synth: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
    synth = spawnSync(process.execPath, [cdktfCliEntry('.'), 'synth', '--output', outdir], { encoding: 'utf8', env });
  }, 120_000);

  it('runs the app of cdktf.json and writes the same stacks as the app itself', () => {
    expect(synth.status).toBe(0);
    const inProcess = synthesize(exampleConfig());
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(Object.keys(inProcess.stacks).sort());
    for (const [name, stack] of Object.entries<any>(manifest.stacks)) {
      expect(readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8')).toBe(
        readFileSync(path.join(inProcess.outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'),
      );
    }
  });

  it('records in manifest.json the dependencies that cdktf deploy follows, the same as apply-order.json', () => {
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const order = JSON.parse(readFileSync(path.join(outdir, 'apply-order.json'), 'utf8'));
    for (const [name, stack] of Object.entries<any>(manifest.stacks)) {
      expect({ name, dependsOn: [...stack.dependencies].sort() }).toEqual({ name, dependsOn: order.dependsOn[name] });
    }
  });
});
