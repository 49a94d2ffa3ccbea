/**
 * `npm run cost`: the fixed monthly cost of a platform's stacks, from the
 * resource counts of its synth and the prices in lib/cost.ts: the foundation,
 * each pipeline, and the same pipelines as one configuration each (each
 * pipeline synthesized alone, as a platform of its own, which is what the
 * single-pipeline layout deployed). `npm run cost -- --help` for its usage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXED_MONTHLY_USD, fixedMonthlyUsd, resourceCounts } from '../lib/cost';
import { type CommandSpec, CONFIG_OPTION, EXIT_FAILED, EXIT_OK, type Io, loadChosenConfig, processIo, runAsProcess, runCommand } from '../lib/cli';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load';
import type { PlatformConfig } from '../lib/config/schema';
import { synthesizeAtomically } from '../lib/synth';
import { isFoundationStack } from '../lib/verify/policy-sizes';
import { readSynthesized } from '../lib/verify/synthesized';
import { buildStacks } from '../main';

export const COST_COMMAND: CommandSpec = {
  command: 'npm run cost --',
  summary:
    "Prints the fixed monthly cost of a configuration's stacks as a Markdown table, from the resource counts of its synth " +
    'and the prices in lib/cost.ts: the foundation, all pipelines, and each pipeline as a configuration of its own. ' +
    'Synthesizes into a temporary directory; writes nothing else.',
  options: { config: CONFIG_OPTION },
  environment: [['PIPELINE_CONFIG', 'the configuration when --config is not given; set but empty is an error']],
  examples: [
    ['npm run cost', `the example, ${DEFAULT_CONFIG_FILE}`],
    ['npm run cost -- --config platform/', 'a configuration directory (or PIPELINE_CONFIG=platform/ npm run cost)'],
  ],
  notes: ['Exit codes: 0 printed, 1 the configuration is refused, 2 usage error.'],
};

function countsOf(scratch: string, platform: PlatformConfig, name: string) {
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

/** `npm run cost`: returns the exit code. */
export async function cost(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  return runCommand(
    COST_COMMAND,
    argv,
    (values) => {
      const loaded = loadChosenConfig(values, env, io);
      if (!loaded) return EXIT_FAILED;
      const scratch = mkdtempSync(path.join(os.tmpdir(), 'cost-'));
      try {
        io.out(`${costTable(scratch, loaded.file, loaded.config)}\n`);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
      return EXIT_OK;
    },
    io,
  );
}

function costTable(scratch: string, file: string, config: PlatformConfig): string {
  const platform = countsOf(scratch, config, 'platform');
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
    const alone = countsOf(scratch, { ...config, pipelines: [pipeline] }, `alone-${pipeline.name}`);
    separate += fixedMonthlyUsd(alone.all);
    lines.push(`| ${pipeline.name} as a configuration of its own | ${priced(alone.all)} | ${usd(fixedMonthlyUsd(alone.all))} |`);
  }
  lines.push(`| **one configuration per pipeline, total** | | **${usd(separate)}** |`);
  return lines.join('\n');
}

if (require.main === module) runAsProcess(() => cost(process.argv.slice(2)));
