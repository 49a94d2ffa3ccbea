import { chooseConfig, chooseOutdir, type CommandSpec, CONFIG_ENVIRONMENT, CONFIG_OPTION, EXIT_FAILED, EXIT_OK, exampleNotice, type Io, OUT_OPTION, processIo, runAsProcess, runCommand } from '../lib/cli';
import { ConfigError, loadConfig } from '../lib/config/load';
import { reuseOrSynthesize } from '../lib/synth-command';
import { formatVerification, VERIFY_FORMATS, type VerifyFormat } from '../lib/verify/output';
import { readSynthesized } from '../lib/verify/synthesized';
import { verifyAccess } from '../lib/verify/verify';
import { buildStacks } from '../main';

export const VERIFY_COMMAND: CommandSpec = {
  command: 'npm run verify --',
  summary:
    'Proves offline, from the synthesized stacks, that every access path the pipelines need is allowed and every forbidden one denied ' +
    '(docs/verification.md). Reuses the output directory when it is an up-to-date synth of the configuration (JSON or HCL); ' +
    'otherwise synthesizes it first, in the format it had.',
  options: {
    config: CONFIG_OPTION,
    out: OUT_OPTION,
    all: { type: 'boolean', description: 'list every path, not only the summary and the failures' },
    format: { type: 'string', short: 'f', value: '<format>', description: 'output format (default text)', choices: VERIFY_FORMATS },
  },
  environment: CONFIG_ENVIRONMENT,
  examples: [
    ['npm run verify', 'the example: summary and failures'],
    ['npm run verify -- --config my-platform.yaml --all', 'every path of a configuration'],
    ['npm run verify -- --format markdown > proof.md', 'for a pull-request comment'],
    ['node dist/bin/verify.js --format json | jq .summary', 'for tools'],
  ],
  notes: ['Exit codes: 0 the proof holds, 1 it fails (or the configuration is refused), 2 usage error.'],
};

/** `npm run verify`: returns the exit code. */
export async function verify(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  return runCommand(
    VERIFY_COMMAND,
    argv,
    async (values) => {
      const chosen = chooseConfig(values, env);
      const outdir = chooseOutdir(values, env);
      const notice = exampleNotice(chosen);
      if (notice) io.err(notice);
      let config;
      try {
        ({ config } = loadConfig({ PIPELINE_CONFIG: chosen.file }));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.err(error.message);
        return EXIT_FAILED;
      }
      await reuseOrSynthesize({ file: chosen.file, config, outdir, build: buildStacks, notify: io.err });
      const verification = await verifyAccess(readSynthesized(outdir), config);
      io.out(
        formatVerification(verification, {
          format: (values.format as VerifyFormat | undefined) ?? 'text',
          all: values.all === true,
          configuration: chosen.file,
          outdir,
        }),
      );
      return verification.ok ? EXIT_OK : EXIT_FAILED;
    },
    io,
  );
}

if (require.main === module) runAsProcess(() => verify(process.argv.slice(2)));
