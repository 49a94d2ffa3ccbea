import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * The compiled entry points as a user runs them: `--help` and refused
 * arguments never start work (bench --help used to start the benchmark), and a
 * closed pipe ends verify quietly.
 */
describe('the compiled entry points', () => {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
  delete env.PIPELINE_CONFIG;
  delete env.CDKTF_OUTDIR;
  const entries = ['dist/main.js', 'dist/bin/verify.js', 'dist/bin/diagram.js', 'dist/bin/bench.js'];

  beforeAll(() => {
    const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { encoding: 'utf8' });
    expect(build.stdout + build.stderr).toBe('');
  }, 120_000);

  it.each(entries)('%s --help prints the usage and exits 0 without doing anything else', (entry) => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'help-'));
    const help = spawnSync(process.execPath, [path.resolve(entry), '--help'], { encoding: 'utf8', env, cwd: scratch });
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: .+ \[options\]\n/);
    expect(help.stdout).toContain('\nExamples:\n');
    expect(readdirSync(scratch)).toEqual([]);
  });

  it.each(entries)('%s refuses an unknown argument with the usage (exit 2)', (entry) => {
    const refused = spawnSync(process.execPath, [path.resolve(entry), '--frobnicate'], { encoding: 'utf8', env });
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain("Unknown option '--frobnicate'");
    expect(refused.stderr).toContain('Usage: ');
  });

  it('verify ends quietly when its reader closes the pipe early (`npm run verify | head`)', () => {
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'epipe-')), 'out');
    const withConfig = { ...env, PIPELINE_CONFIG: 'config/example.yaml', CDKTF_OUTDIR: outdir };
    expect(spawnSync(process.execPath, ['dist/main.js'], { encoding: 'utf8', env: withConfig }).status).toBe(0);
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" dist/bin/verify.js --all | head -n 1`], { encoding: 'utf8', env: withConfig });
    expect(piped.stdout).toBe(`Access proof of ${outdir} for config/example.yaml\n`);
    expect(piped.stderr).toBe(`Using ${outdir}: an up-to-date JSON synth of config/example.yaml.\n`);
  }, 120_000);
});
