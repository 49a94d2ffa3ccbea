/**
 * `npm run cost`: the fixed monthly cost of a platform's stacks, from the
 * resource counts of its synth and the prices in lib/cost.ts: the foundation,
 * each pipeline, and the same pipelines as one configuration each (each
 * pipeline synthesized alone, as a platform of its own, which is what the
 * single-pipeline layout deployed). Usage: PIPELINE_CONFIG=<file or dir> npm run cost
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXED_MONTHLY_USD, fixedMonthlyUsd, resourceCounts } from '../lib/cost';
import { loadConfig } from '../lib/config/load';
import type { PlatformConfig } from '../lib/config/schema';
import { synthesizeAtomically } from '../lib/synth';
import { isFoundationStack } from '../lib/verify/policy-sizes';
import { readSynthesized } from '../lib/verify/synthesized';
import { buildStacks } from '../main';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'cost-'));

function countsOf(platform: PlatformConfig, name: string) {
  const outdir = path.join(scratch, name);
  synthesizeAtomically(outdir, (app) => buildStacks(app, platform));
  const { stacks } = readSynthesized(outdir);
  return { all: resourceCounts(stacks), foundation: resourceCounts(stacks, isFoundationStack) };
}

const usd = (n: number) => `$${n.toFixed(2)}`;
const priced = (counts: Record<string, number>) =>
  Object.keys(FIXED_MONTHLY_USD)
    .filter((type) => counts[type])
    .map((type) => `${counts[type]} ${type}`)
    .join(', ') || 'none';

function main(): void {
  const { file, config } = loadConfig(process.env);
  const platform = countsOf(config, 'platform');
  const own = Object.fromEntries(Object.entries(platform.all).map(([t, n]) => [t, n - (platform.foundation[t] ?? 0)]));
  const lines = [
    `Fixed monthly cost of ${file} (${config.pipelines.length} pipelines), from the synth's resource counts and lib/cost.ts:`,
    '',
    '| part | priced resources | fixed / month |',
    '| --- | --- | ---: |',
    `| foundation (platform, account-*) | ${priced(platform.foundation)} | ${usd(fixedMonthlyUsd(platform.foundation))} |`,
    `| all pipelines' own stacks | ${priced(own)} | ${usd(fixedMonthlyUsd(own))} |`,
    `| **platform total** | | **${usd(fixedMonthlyUsd(platform.all))}** |`,
  ];
  let separate = 0;
  for (const pipeline of config.pipelines) {
    const alone = countsOf({ ...config, pipelines: [pipeline] }, `alone-${pipeline.name}`);
    separate += fixedMonthlyUsd(alone.all);
    lines.push(`| ${pipeline.name} as a configuration of its own | ${priced(alone.all)} | ${usd(fixedMonthlyUsd(alone.all))} |`);
  }
  lines.push(`| **one configuration per pipeline, total** | | **${usd(separate)}** |`);
  console.log(lines.join('\n'));
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
