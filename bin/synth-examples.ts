/**
 * `node dist/bin/synth-examples.js <outdir>`: synthesizes every shipped
 * example (lib/examples.ts) with the main command, `node dist/main.js`, into
 * `<outdir>/<name>/`. CI runs it on cdktf and on CDK Terrain, and
 * `__tests__/variants.test.ts` compares the two (docs/cdk-terrain.md).
 * Exits 1 when an example fails to synthesize; the others still run.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { shippedExamples } from '../lib/examples';

const ROOT = path.resolve(__dirname, '..', '..');
const outdir = process.argv[2];
if (!outdir) {
  console.error('usage: node dist/bin/synth-examples.js <outdir>');
  process.exit(2);
}

let failed = 0;
for (const example of shippedExamples(ROOT)) {
  const target = path.resolve(outdir, example.name);
  const run = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PIPELINE_CONFIG: example.config, CDKTF_OUTDIR: target, SYNTH_HCL_OUTPUT: '' },
  });
  if (run.status === 0) {
    console.log(`synthesized ${example.config} -> ${target}`);
  } else {
    failed++;
    console.error(`FAILED ${example.config} (exit ${run.status ?? run.signal})\n${run.stdout}${run.stderr}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
