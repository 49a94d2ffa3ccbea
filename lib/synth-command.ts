import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { App } from 'cdktf';
import type { ApplyOrder } from './apply-order';
import type { PlatformConfig } from './config/schema';
import { APPLY_ORDER_FILE, DESTROY_ORDER_FILE, synthesizeAtomically, synthesizeHclAtomically } from './synth';

/**
 * Written last into an output directory by every synth of this app: which
 * configuration and which build produced it. `npm run verify` and `npm run
 * diagram` reuse an output whose stamp matches instead of synthesizing again
 * (which would replace an HCL synth and its hand-off with JSON).
 */
export const STAMP_FILE = 'synth-stamp.json';

export interface SynthStamp {
  /** The configuration as named on the command line or in PIPELINE_CONFIG. */
  configuration: string;
  /** sha256 of the configuration's files (a directory: every file under it, by relative path). */
  configHash: string;
  /** sha256 of the app's code and of the cdktf and provider versions it runs with. */
  build: string;
  format: 'json' | 'hcl';
}

export interface SynthResult {
  stamp: SynthStamp;
  order: ApplyOrder;
}

/**
 * Synthesizes `config` into `outdir` (JSON, or HCL with the hand-off),
 * atomically (lib/synth.ts), then records the stamp.
 */
export async function synthesizeConfig(options: {
  file: string;
  config: PlatformConfig;
  outdir: string;
  hcl: boolean;
  build: (app: App, config: PlatformConfig) => void;
}): Promise<SynthResult> {
  const { file, config, outdir, hcl } = options;
  // Hashed before the synth: the stamp then names the input the output was made from, even if the file changes meanwhile.
  const stamp: SynthStamp = { configuration: file, configHash: configHash(file), build: buildHash(), format: hcl ? 'hcl' : 'json' };
  const build = (app: App) => options.build(app, config);
  if (hcl) await synthesizeHclAtomically(outdir, build);
  else synthesizeAtomically(outdir, build);
  writeFileSync(path.join(outdir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  return { stamp, order: JSON.parse(readFileSync(path.join(outdir, APPLY_ORDER_FILE), 'utf8')) as ApplyOrder };
}

/** The stamp of an output directory, or undefined when it has none (or an unreadable one). */
export function readStamp(outdir: string): SynthStamp | undefined {
  try {
    return JSON.parse(readFileSync(path.join(outdir, STAMP_FILE), 'utf8')) as SynthStamp;
  } catch {
    return undefined;
  }
}

/**
 * Whether `outdir` holds a synth of configuration `file` with this build
 * (either format): the same configuration name, the same bytes, the same code.
 */
export function isUpToDate(outdir: string, file: string): boolean {
  const stamp = readStamp(outdir);
  if (!stamp || !existsSync(path.join(outdir, 'manifest.json'))) return false;
  return path.normalize(stamp.configuration) === path.normalize(file) && stamp.configHash === configHash(file) && stamp.build === buildHash();
}

/**
 * sha256 over a configuration: a file's bytes, or for a directory (or the
 * platform.yaml that stands for one) every file under the directory, sorted by
 * relative path. A file that cannot be read hashes as its error, so such a
 * configuration is never up to date.
 */
export function configHash(file: string): string {
  const hash = createHash('sha256');
  const parent = path.dirname(file);
  let root = file;
  try {
    if (!statSync(file).isDirectory() && path.basename(file) === 'platform.yaml' && existsSync(path.join(parent, 'pipelines'))) root = parent;
    for (const relative of filesUnder(root)) {
      hash.update(`${relative}\0`);
      hash.update(readFileSync(path.join(root, relative)));
      hash.update('\0');
    }
  } catch (error) {
    hash.update(`unreadable: ${(error as Error).message}`);
  }
  return hash.digest('hex');
}

/** Relative paths of every file under `root` (or '' for `root` itself when it is a file), sorted. */
function filesUnder(root: string): string[] {
  if (!statSync(root).isDirectory()) return [''];
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(root, relative)).sort()) {
      const child = path.join(relative, entry);
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out;
}

/** The folders whose code decides what a synth writes, relative to the app root (dist/, or the project under ts-node/jest). */
const CODE = ['lib', 'stacks', 'modules', 'deploy-kinds', 'source-kinds'];
let cachedBuild: string | undefined;

/**
 * sha256 of the code that synthesizes (main and the folders above, as
 * compiled into dist/ or as sources when run from them) and of the versions
 * of cdktf and the AWS provider bindings: a rebuild or an upgrade makes every
 * earlier output out of date.
 */
export function buildHash(): string {
  if (cachedBuild) return cachedBuild;
  const root = path.resolve(__dirname, '..');
  const hash = createHash('sha256');
  const files = [
    ...['main.js', 'main.ts'].filter((f) => existsSync(path.join(root, f))),
    ...CODE.flatMap((dir) => (existsSync(path.join(root, dir)) ? filesUnder(path.join(root, dir)).map((f) => path.join(dir, f)) : [])),
  ].filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'));
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(path.join(root, file)));
  }
  for (const pkg of ['cdktf', '@cdktf/provider-aws', '@cdktf/provider-tfe']) {
    let version: string;
    try {
      // The name and version installed under the import name (cdktn under cdktf on CDK Terrain).
      const manifest = require(`${pkg}/package.json`) as { name: string; version: string };
      version = `${manifest.name}@${manifest.version}`;
    } catch (error) {
      version = `unreadable: ${(error as Error).message}`;
    }
    hash.update(`${pkg}=${version}\0`);
  }
  cachedBuild = hash.digest('hex');
  return cachedBuild;
}

/** At most this many stack names per wave in the summary; the rest are counted. */
const NAMES_PER_WAVE = 6;

/** What a successful synth prints: the configuration, the stacks, the apply waves and where the output is. */
export function synthSummary(result: SynthResult, outdir: string): string {
  const { stamp, order } = result;
  const waves = order.waves.length;
  const lines = [
    `Synthesized ${stamp.configuration}: ${order.order.length} stack${order.order.length === 1 ? '' : 's'} in ${waves} apply wave${
      waves === 1 ? '' : 's'
    }, as ${stamp.format === 'hcl' ? 'HCL' : 'Terraform JSON'}.`,
  ];
  order.waves.forEach((wave, i) => {
    const shown = wave.slice(0, NAMES_PER_WAVE).join(', ');
    lines.push(`  wave ${i + 1}: ${shown}${wave.length > NAMES_PER_WAVE ? ` and ${wave.length - NAMES_PER_WAVE} more` : ''}`);
  });
  const dir = outdir.endsWith(path.sep) ? outdir : `${outdir}${path.sep}`;
  lines.push(
    `Output: ${dir} (stacks/, ${APPLY_ORDER_FILE}, ${DESTROY_ORDER_FILE}${stamp.format === 'hcl' ? ', handoff/ for plain Terraform' : ''}).`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * For commands that read a synth (verify, diagram): reuses `outdir` when it is
 * an up-to-date synth of `file` in either format; otherwise synthesizes it
 * again, in the format it had (an HCL synth stays HCL, with its hand-off), so
 * nothing the user synthesized is replaced by something else. Says which on
 * standard error (`notify`), so standard output stays the command's own.
 */
export async function reuseOrSynthesize(options: {
  file: string;
  config: PlatformConfig;
  outdir: string;
  build: (app: App, config: PlatformConfig) => void;
  notify: (line: string) => void;
}): Promise<{ reused: boolean; format: 'json' | 'hcl' }> {
  const { file, outdir, notify } = options;
  const stamp = readStamp(outdir);
  if (stamp && isUpToDate(outdir, file)) {
    notify(`Using ${outdir}: an up-to-date ${stamp.format === 'hcl' ? 'HCL' : 'JSON'} synth of ${file}.`);
    return { reused: true, format: stamp.format };
  }
  const hcl = stamp ? stamp.format === 'hcl' : existsSync(path.join(outdir, 'handoff'));
  notify(`${outdir} is not an up-to-date synth of ${file}; synthesizing it${hcl ? ' as HCL (as it was)' : ''}.`);
  const result = await synthesizeConfig({ ...options, hcl });
  notify(synthSummary(result, outdir).trimEnd());
  return { reused: false, format: result.stamp.format };
}
