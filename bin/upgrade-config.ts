import { readFileSync } from 'node:fs';
import { type CommandSpec, EXIT_FAILED, EXIT_OK, type Io, processIo, runAsProcess, runCommand } from '../lib/cli';
import { upgradeConfig } from '../lib/config/upgrade';

export const UPGRADE_COMMAND: CommandSpec = {
  command: 'node dist/bin/upgrade-config.js',
  name: 'upgrade-config',
  summary:
    'Prints a configuration in the single-pipeline format as a platform with that one pipeline (docs/upgrade.md: ' +
    'the result, and how to move existing state). Reads the file; writes nothing: redirect standard output.',
  arguments: [
    { name: 'single-pipeline.yaml', description: 'the configuration in the single-pipeline format' },
    { name: 'platform name', description: 'the name of the platform (default: the project name)', optional: true },
  ],
  options: {},
  examples: [
    ['node dist/bin/upgrade-config.js old.yaml acme > platform.yaml', 'platform acme with the pipeline of old.yaml (after npm run build)'],
  ],
  notes: ['Exit codes: 0 printed, 1 the file cannot be read, 2 usage error.'],
};

/** `node dist/bin/upgrade-config.js`: returns the exit code. */
export async function upgrade(argv: string[], io: Io = processIo): Promise<number> {
  return runCommand(
    UPGRADE_COMMAND,
    argv,
    (values) => {
      const file = values['single-pipeline.yaml'] as string;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        io.err(`upgrade-config: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return EXIT_FAILED;
      }
      io.out(upgradeConfig(text, values['platform name'] as string | undefined));
      return EXIT_OK;
    },
    io,
  );
}

if (require.main === module) runAsProcess(() => upgrade(process.argv.slice(2)));
