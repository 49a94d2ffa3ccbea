import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chooseConfig, chooseOutdir, type CommandSpec, CONFIG_OPTION, exampleNotice, type Io, processIo, runAsProcess, runCommand, type Values } from '../lib/cli';
import { DiffInputError, diffOutputs, readOutput } from '../lib/diff/diff';
import { DIFF_FORMATS, type DiffFormat, formatDiff } from '../lib/diff/format';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load';
import { synthesizeAtomically } from '../lib/synth';
import { buildStacks } from '../main';

export const DIFF_COMMAND: CommandSpec = {
  command: 'npm run diff --',
  name: 'diff',
  summary:
    'Synthesizes the configuration into a temporary directory and compares it with an earlier output: per stack the ' +
    'resources added, removed and changed (marking those a plan would replace), then the access paths that become ' +
    "allowed or denied, computed with the access proof's model. The earlier output is left as it is.",
  options: {
    config: { ...CONFIG_OPTION, description: `the configuration to synthesize (default: PIPELINE_CONFIG, else ${DEFAULT_CONFIG_FILE})` },
    against: { type: 'string', value: '<dir>', description: 'the earlier output to compare with (default: CDKTF_OUTDIR, else cdktf.out)' },
    'against-config': {
      type: 'string',
      value: '<file|dir>',
      description: "the configuration the earlier output was synthesized from; its access paths (a removed or renamed target's) are compared too",
    },
    format: {
      type: 'string',
      value: '<text|markdown|json>',
      description: 'text for a terminal (default), markdown for a pull-request comment, json for tools',
      choices: DIFF_FORMATS,
    },
  },
  environment: [
    ['PIPELINE_CONFIG', 'the configuration when --config is not given; set but empty is an error'],
    ['CDKTF_OUTDIR', 'the earlier output when --against is not given; set but empty is an error'],
  ],
  examples: [
    ['git stash && npm run synth && git stash pop', 'the earlier output, cdktf.out, from the base'],
    ['npm run diff -- --config config/example.yaml', 'what the example changes against cdktf.out'],
    ['npm run diff -- --config platform/ --against base.out --against-config base-platform/ --format markdown > diff.md', 'a pull-request comment'],
  ],
  notes: [
    'Exit codes: 0 nothing changed, 1 something changed, 2 error (a usage error, a refused configuration, an unreadable output, ' +
      'or access paths that could not be compared; the resource changes are printed all the same).',
  ],
};

/** Runs the diff command; resolves to its exit code (0 no change, 1 changes, 2 error). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  return runCommand(DIFF_COMMAND, argv, (values) => diff(values, env, io), io);
}

async function diff(values: Values, env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const format = (values.format ?? 'text') as DiffFormat;
  const chosen = chooseConfig(values, env);
  const against = typeof values.against === 'string' ? values.against : chooseOutdir({}, env);
  const againstConfigFile = typeof values['against-config'] === 'string' ? values['against-config'] : undefined;
  const notice = exampleNotice(chosen);
  if (notice) io.err(`diff: ${notice}\n`);
  const workdir = mkdtempSync(path.join(tmpdir(), 'cdktf-diff-'));
  try {
    const { file, config } = loadConfig({ PIPELINE_CONFIG: chosen.file });
    const againstConfig = againstConfigFile ? loadConfig({ PIPELINE_CONFIG: againstConfigFile }).config : undefined;
    const before = readOutput(against);
    // Never into the earlier output: a directory of its own, removed afterwards.
    const outdir = path.join(workdir, 'cdktf.out');
    synthesizeAtomically(outdir, (app) => buildStacks(app, config));
    const result = await diffOutputs(before, readOutput(outdir), {
      config: file,
      against,
      platform: config,
      ...(againstConfig ? { againstConfig: { file: againstConfigFile!, platform: againstConfig } } : {}),
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

if (require.main === module) runAsProcess(() => main(process.argv.slice(2)));
