import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DiffInputError, diffOutputs, readOutput } from '../lib/diff/diff';
import { DIFF_FORMATS, type DiffFormat, formatDiff } from '../lib/diff/format';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load';
import { synthesizeAtomically } from '../lib/synth';
import { buildStacks } from '../main';

export const USAGE = `Usage: npm run diff -- [options]

Synthesizes the configuration into a temporary directory and compares it with an
earlier output: per stack the resources added, removed and changed (marking those a
plan would replace), then the access paths that become allowed or denied, computed
with the access proof's model. The earlier output is left as it is.

Options:
  --config <file|dir>          configuration to synthesize (default: $PIPELINE_CONFIG, else ${DEFAULT_CONFIG_FILE})
  --against <dir>              earlier output to compare with (default: $CDKTF_OUTDIR, else cdktf.out)
  --against-config <file|dir>  configuration the earlier output was synthesized from; its access
                               paths (a removed or renamed target's) are compared too
  --format <text|markdown|json>  text for a terminal (default), markdown for a pull-request comment,
                               json for tools
  -h, --help                   show this help

Exit code: 0 nothing changed, 1 something changed, 2 error (including access paths that could
not be compared; the resource changes are printed all the same).

Examples:
  git stash && npm run synth && git stash pop     # the earlier output, from the base
  npm run diff -- --config config/example.yaml
  npm run diff -- --config platform/ --against base.out --against-config base-platform/ --format markdown > diff.md`;

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Runs the diff command; resolves to its exit code (0 no change, 1 changes, 2 error). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  let options: { config?: string; against?: string; 'against-config'?: string; format?: string; help?: boolean };
  try {
    ({ values: options } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        against: { type: 'string' },
        'against-config': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`diff: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const format = (options.format ?? 'text') as DiffFormat;
  if (!DIFF_FORMATS.includes(format)) {
    io.err(`diff: --format must be one of ${DIFF_FORMATS.join(', ')}, not "${options.format}"\n\n${USAGE}\n`);
    return 2;
  }

  const workdir = mkdtempSync(path.join(tmpdir(), 'cdktf-diff-'));
  try {
    const configFile = options.config ?? env.PIPELINE_CONFIG;
    if (!configFile) io.err(`diff: no --config or PIPELINE_CONFIG given: using the example ${DEFAULT_CONFIG_FILE}\n`);
    const { file, config } = loadConfig({ PIPELINE_CONFIG: configFile });
    const againstConfig = options['against-config']
      ? loadConfig({ PIPELINE_CONFIG: options['against-config'] }).config
      : undefined;
    const against = options.against ?? (env.CDKTF_OUTDIR || 'cdktf.out');
    const before = readOutput(against);
    // Never into the earlier output: a directory of its own, removed afterwards.
    const outdir = path.join(workdir, 'cdktf.out');
    synthesizeAtomically(outdir, (app) => buildStacks(app, config));
    const result = await diffOutputs(before, readOutput(outdir), {
      config: file,
      against,
      platform: config,
      ...(againstConfig ? { againstConfig: { file: options['against-config']!, platform: againstConfig } } : {}),
    });
    io.out(formatDiff(result, format));
    if (result.accessError) {
      io.err(`diff: the access paths could not be compared: ${result.accessError}\n`);
      return 2;
    }
    return result.changed ? 1 : 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DiffInputError) {
      io.err(`diff: ${error.message}\n`);
    } else {
      io.err(`diff: ${(error as Error).message ?? String(error)}\n`);
    }
    return 2;
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  // A closed pipe (`npm run diff | head`) ends the output quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
