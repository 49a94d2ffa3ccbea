/**
 * `npm run bench`: wall time and peak memory of the commands a platform team
 * runs all day. Figures only: it judges nothing and is not a test.
 *
 * Usage: npm run bench [-- --runs N]   (N caps the runs of every row; 1 for a quick look); --help for more.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { cdktfCliEntry } from '../lib/cdktf-cli';
import { type CommandSpec, EXIT_OK, runAsProcess, runCommand, UsageError } from '../lib/cli';
import { generateConfig, generatePlatform } from '../lib/config/generate';
import { ConfigError, validateConfig } from '../lib/config/load';
import { platformReport } from '../lib/scale-report';

const ROOT = path.resolve(__dirname, '..', '..');
const GENERATED_TARGETS = [1, 10, 50, 100];
/** Platforms of P pipelines × PLATFORM_TARGETS targets (lib/config/generate.ts, generatePlatform). */
const PLATFORM_PIPELINES = [10, 50, 200];
const PLATFORM_TARGETS = 5;
const GNU_TIME = '/usr/bin/time';
const SAMPLE_EVERY_MS = 50;
const EXAMPLE = 'synth example (`node dist/main.js`)';
const CONVENTIONAL = 'synth example, conventional (`cdktf synth`, app `npx ts-node main.ts`)';

interface Run {
  ms: number;
  /** Peak RSS of the largest single process (GNU time's %M), in KiB. */
  largestKiB?: number;
  /** Highest sampled sum of RSS over the whole process tree, in KiB. */
  treeKiB?: number;
}

type Row = { label: string; runs: Run[] } | { label: string; skipped: string };

interface Command {
  label: string;
  argv: string[];
  runs: number;
  env?: NodeJS.ProcessEnv;
  beforeEach?: () => void;
}

export const BENCH_COMMAND: CommandSpec = {
  command: 'npm run bench --',
  summary:
    'Measures wall time and peak memory of the commands a platform team runs all day (build, synth of the example and of ' +
    'generated platforms, the conventional cdktf synth, the test suite) and prints a Markdown table for docs/performance.md. ' +
    'Figures only: it judges nothing. A full run takes several minutes.',
  options: { runs: { type: 'string', value: '<n>', description: 'at most n runs of every row (default: each row\'s own count, 3 to 5)' } },
  examples: [
    ['npm run bench', 'the full table'],
    ['npm run bench -- --runs 1', 'one run per row, for a quick look'],
  ],
  notes: ['Exit codes: 0 measured, 1 a measured command failed, 2 usage error.'],
};

let runCap = Infinity;
let scratch = '';
const baseEnv: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
// The example rows must read config/example.yaml, whatever the caller's shell has set.
delete baseEnv.PIPELINE_CONFIG;
delete baseEnv.CDKTF_OUTDIR;

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const tsc = [process.execPath, path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')];
  const cleanOut = path.join(scratch, 'clean-build');
  const mainCommand = [process.execPath, path.join(ROOT, 'dist', 'main.js')];

  const entries: Array<Command | Row> = [
    // A clean build compiles into a scratch directory, so the project's dist/ stays as it is.
    {
      label: 'build, clean (`tsc` into an empty directory)',
      argv: [...tsc, '-p', 'tsconfig.build.json', '--outDir', cleanOut, '--tsBuildInfoFile', path.join(cleanOut, '.tsbuildinfo')],
      runs: 3,
      beforeEach: () => rmSync(cleanOut, { recursive: true, force: true }),
    },
    { label: 'build, up to date (`tsc -b`, nothing changed)', argv: [...tsc, '-b', 'tsconfig.build.json'], runs: 5 },
    {
      label: '`npm run synth` of the example (build up to date + synth)',
      argv: ['npm', 'run', 'synth', '--silent'],
      runs: 5,
      env: { CDKTF_OUTDIR: path.join(scratch, 'out-npm-run-synth') },
    },
    {
      label: EXAMPLE,
      argv: mainCommand,
      runs: 5,
      env: { CDKTF_OUTDIR: path.join(scratch, 'out-example') },
    },
    ...GENERATED_TARGETS.map((targets): Command | Row => {
      const label = generatedLabel(targets);
      const refusal = refusalOf(targets);
      if (refusal) return { label, skipped: `configuration refused: ${refusal}` };
      const file = path.join(scratch, `targets-${targets}.yaml`);
      writeFileSync(file, stringify(generateConfig(targets)));
      return {
        label,
        argv: mainCommand,
        runs: targets >= 50 ? 3 : 5,
        env: { PIPELINE_CONFIG: file, CDKTF_OUTDIR: path.join(scratch, `out-${targets}`) },
      };
    }),
    ...PLATFORM_PIPELINES.map((pipelines): Command => {
      const file = path.join(scratch, `platform-${pipelines}.yaml`);
      writeFileSync(file, stringify(generatePlatform(pipelines, PLATFORM_TARGETS)));
      return {
        label: platformLabel(pipelines),
        argv: mainCommand,
        runs: pipelines >= 200 ? 1 : pipelines >= 50 ? 2 : 3,
        env: { PIPELINE_CONFIG: file, CDKTF_OUTDIR: platformOut(pipelines) },
      };
    }),
    // The conventional way, as `cdktf init --template=typescript` sets it up: the CLI runs a ts-node app.
    {
      label: CONVENTIONAL,
      argv: [process.execPath, cdktfCliEntry(ROOT), 'synth', '--app', 'npx ts-node main.ts', '--output', path.join(scratch, 'out-conventional')],
      runs: 3,
    },
    { label: '`npm test` (whole suite)', argv: ['npm', 'test', '--silent'], runs: 3 },
  ];

  const measured = await measureInterleaved(entries);
  console.log(report(measured, loadBefore, os.loadavg()));
  console.log(platformReport(PLATFORM_PIPELINES.map((pipelines) => ({ pipelines, outdir: platformOut(pipelines) })), PLATFORM_TARGETS));
}

function platformLabel(pipelines: number): string {
  return `synth platform, ${pipelines} pipelines × ${PLATFORM_TARGETS} targets`;
}

function platformOut(pipelines: number): string {
  return path.join(scratch, `out-platform-${pipelines}`);
}


function generatedLabel(targets: number): string {
  return `synth generated, ${targets} target${targets === 1 ? '' : 's'}`;
}

/** Why the project refuses a generated configuration, or undefined when it accepts it. */
function refusalOf(targets: number): string | undefined {
  try {
    validateConfig(generateConfig(targets), `generated(${targets})`);
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
  }
}

/**
 * Runs the commands round-robin (first run of each, then the second of each, ...),
 * so that load from elsewhere on the machine spreads over all rows instead of
 * skewing the ones that happened to run during it.
 */
async function measureInterleaved(entries: Array<Command | Row>): Promise<Row[]> {
  const rows: Row[] = entries.map((e) => ('argv' in e ? { label: e.label, runs: [] } : e));
  const rounds = Math.max(...entries.map((e) => ('argv' in e ? Math.min(e.runs, runCap) : 0)));
  for (let round = 0; round < rounds; round++) {
    for (const [i, entry] of entries.entries()) {
      const row = rows[i];
      if (!('argv' in entry) || !('runs' in row) || round >= Math.min(entry.runs, runCap)) continue;
      entry.beforeEach?.();
      process.stderr.write(`  round ${round + 1}/${rounds}: ${entry.label}\n`);
      const result = await measureOnce(entry.argv, { ...baseEnv, ...entry.env });
      if (result.exitCode === 0) {
        row.runs.push(result.run);
      } else {
        const lastLines = result.stderr.trim().split('\n').slice(-3).join(' / ');
        rows[i] = { label: entry.label, skipped: `failed (exit ${result.exitCode}): ${lastLines}` };
      }
    }
  }
  return rows;
}

/** Runs one command to completion, timing it and watching the memory of its process tree. */
function measureOnce(argv: string[], env: NodeJS.ProcessEnv): Promise<{ run: Run; exitCode: number | null; stderr: string }> {
  const timeFile = path.join(scratch, 'gnu-time.txt');
  // GNU time reports the exact peak of the largest process; BSD time has other flags.
  const withTime = os.platform() === 'linux' && existsSync(GNU_TIME);
  const [file, ...args] = withTime ? [GNU_TIME, '-f', '%M', '-o', timeFile, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let treeKiB: number | undefined;
    const sampler = setInterval(() => {
      const sum = processTreeRssKiB(child.pid!, !withTime);
      if (sum !== undefined) treeKiB = Math.max(treeKiB ?? 0, sum);
    }, SAMPLE_EVERY_MS);
    child.on('error', (error) => {
      clearInterval(sampler);
      reject(error);
    });
    child.on('close', (exitCode) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(sampler);
      // %M is the last line; GNU time writes a "Command exited with non-zero status" line before it.
      const largestKiB = Number.parseInt(readQuietly(timeFile)?.trim().split('\n').pop() ?? '', 10);
      rmSync(timeFile, { force: true });
      resolve({ run: { ms, largestKiB: Number.isNaN(largestKiB) ? undefined : largestKiB, treeKiB }, exitCode, stderr });
    });
  });
}

/** Sum of VmRSS over the descendants of `root`, and root itself if asked (Linux /proc); undefined without /proc. */
function processTreeRssKiB(root: number, includeRoot: boolean): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  for (const pid of entries) {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
    const stat = readQuietly(`/proc/${pid}/stat`);
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (!Number.isNaN(ppid)) children.set(ppid, [...(children.get(ppid) ?? []), Number(pid)]);
  }
  let total = 0;
  const pending = includeRoot ? [root] : [...(children.get(root) ?? [])];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    total += Number(/^VmRSS:\s+(\d+) kB/m.exec(readQuietly(`/proc/${pid}/status`) ?? '')?.[1] ?? 0);
    pending.push(...(children.get(pid) ?? []));
  }
  return total;
}

function readQuietly(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function mebibytes(kib: Array<number | undefined>): string {
  const known = kib.filter((k): k is number => k !== undefined);
  return known.length === 0 ? 'n/a' : `${Math.round(Math.max(...known) / 1024)} MiB`;
}

function report(rows: Row[], loadBefore: number[], loadAfter: number[]): string {
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  const lines = [
    `Benchmark of ${gitDescription()} on ${new Date().toISOString()}`,
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `node ${process.version}, ${os.platform()} ${os.release()}`,
    `load average before: ${load(loadBefore)}; after: ${load(loadAfter)}`,
    '',
    '| measurement | runs | wall, median (min–max) | peak RSS, largest process | peak RSS, all processes (sampled) |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => {
      if ('skipped' in row) return `| ${row.label} | – | skipped: ${row.skipped} | – | – |`;
      const ms = row.runs.map((r) => r.ms);
      return (
        `| ${row.label} | ${row.runs.length} | ${seconds(median(ms))} (${seconds(Math.min(...ms))}–${seconds(Math.max(...ms))}) | ` +
        `${mebibytes(row.runs.map((r) => r.largestKiB))} | ${mebibytes(row.runs.map((r) => r.treeKiB))} |`
      );
    }),
    '',
  ];

  /** Median and minimum wall time of a measured row; undefined when it was skipped. */
  const times = (label: string): { median: number; min: number } | undefined => {
    const row = rows.find((r) => r.label === label);
    if (!row || !('runs' in row) || row.runs.length === 0) return undefined;
    const ms = row.runs.map((r) => r.ms);
    return { median: median(ms), min: Math.min(...ms) };
  };

  const example = times(EXAMPLE);
  const conventional = times(CONVENTIONAL);
  lines.push(
    example && conventional
      ? `conventional / main command (example synth): ${(conventional.median / example.median).toFixed(1)}× ` +
          `(${seconds(conventional.median)} against ${seconds(example.median)}, medians)`
      : 'conventional / main command (example synth): not available (a row was skipped)',
  );

  const sizes = GENERATED_TARGETS.filter((n) => times(generatedLabel(n)) !== undefined);
  const [first, last] = [sizes[0], sizes[sizes.length - 1]];
  if (first !== undefined && last !== undefined && last > first) {
    const [a, b] = [times(generatedLabel(first))!, times(generatedLabel(last))!];
    const slope = (from: number, to: number) => `${((to - from) / (last - first)).toFixed(1)} ms`;
    const partial = last === GENERATED_TARGETS[GENERATED_TARGETS.length - 1] ? '' : ' (the larger sizes were skipped)';
    lines.push(
      `synth growth per added target, ${first}→${last} targets: ${slope(a.median, b.median)} from the medians, ` +
        `${slope(a.min, b.min)} from the minimums${partial}`,
    );
  } else {
    lines.push('synth growth per added target: not available (fewer than two generated sizes were measured)');
  }
  lines.push(
    'largest process: GNU time %M (exact); all processes: sum of VmRSS over the process tree, sampled every ' +
      `${SAMPLE_EVERY_MS} ms (jest workers, the cdktf CLI and its app count together).`,
  );
  return lines.join('\n');
}

function gitDescription(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'an unknown commit';
  const dirty = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `commit ${head.stdout.trim()}${dirty ? ' (with uncommitted changes)' : ''}`;
}

runAsProcess(() =>
  runCommand(BENCH_COMMAND, process.argv.slice(2), async (values) => {
    if (typeof values.runs === 'string') {
      if (!/^[1-9]\d*$/.test(values.runs)) throw new UsageError(`--runs must be a whole number of at least 1, got "${values.runs}"`);
      runCap = Number(values.runs);
    }
    scratch = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    try {
      await main();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  }),
);
