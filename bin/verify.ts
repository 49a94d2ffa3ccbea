import { chooseOutdir, type CommandSpec, CONFIG_ENVIRONMENT, CONFIG_OPTION, EXIT_FAILED, EXIT_OK, type Io, loadChosenConfig, OUT_OPTION, processIo, runAsProcess, runCommand } from '../lib/cli';
import { formatNextSteps } from '../lib/next-steps';
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
      const outdir = chooseOutdir(values, env);
      const loaded = loadChosenConfig(values, env, io);
      if (!loaded) return EXIT_FAILED;
      const { chosen, config } = loaded;
      await reuseOrSynthesize({ file: chosen.file, config, outdir, build: buildStacks, notify: io.err });
      const verification = await verifyAccess(readSynthesized(outdir), config);
      const format = (values.format as VerifyFormat | undefined) ?? 'text';
      io.out(formatVerification(verification, { format, all: values.all === true, configuration: chosen.file, outdir }));
      // What only a person can do after applying (a pending connection's handshake); in the text report only, so JSON
      // and markdown stay what they are.
      if (format === 'text') io.out(formatNextSteps(config));
      return verification.ok ? EXIT_OK : EXIT_FAILED;
    },
    io,
  );
}

if (require.main === module) runAsProcess(() => verify(process.argv.slice(2)));
