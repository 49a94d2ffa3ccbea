import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chooseOutdir, type CommandSpec, CONFIG_ENVIRONMENT, CONFIG_OPTION, EXIT_FAILED, EXIT_OK, type Io, loadChosenConfig, OUT_OPTION, processIo, runAsProcess, runCommand } from '../lib/cli';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load';
import { reuseOrSynthesize } from '../lib/synth-command';
import { diagramMarkdown, EXAMPLE_DIAGRAM_FILE, README_FILE, withReadmeDiagram } from '../lib/verify/diagram';
import { readSynthesized } from '../lib/verify/synthesized';
import { buildStacks } from '../main';

export const DIAGRAM_COMMAND: CommandSpec = {
  command: 'npm run diagram --',
  summary:
    'Draws the synthesized stacks (topology and apply order, Mermaid) into <out>/diagram.md; for the example also into ' +
    `${EXAMPLE_DIAGRAM_FILE} and the README. Reuses an up-to-date synth (JSON or HCL); otherwise synthesizes first, in the format the output had.`,
  options: { config: CONFIG_OPTION, out: OUT_OPTION },
  environment: CONFIG_ENVIRONMENT,
  examples: [
    ['npm run diagram', `the example: cdktf.out/diagram.md, ${EXAMPLE_DIAGRAM_FILE} and the README's picture`],
    ['npm run diagram -- --config my-platform.yaml --out build/out', 'a configuration: build/out/diagram.md'],
  ],
  notes: ['Exit codes: 0 drawn, 1 the configuration is refused or the output cannot be read, 2 usage error.'],
};

/** `npm run diagram`: returns the exit code. */
export async function diagram(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Io = processIo): Promise<number> {
  return runCommand(
    DIAGRAM_COMMAND,
    argv,
    async (values) => {
      const outdir = chooseOutdir(values, env);
      const loaded = loadChosenConfig(values, env, io);
      if (!loaded) return EXIT_FAILED;
      const { chosen, config } = loaded;
      await reuseOrSynthesize({ file: chosen.file, config, outdir, build: buildStacks, notify: io.err });
      const app = readSynthesized(outdir);
      const markdown = diagramMarkdown(app, chosen.file);
      const written = [path.join(outdir, 'diagram.md')];
      writeFileSync(written[0], markdown);
      if (path.normalize(chosen.file) === path.normalize(DEFAULT_CONFIG_FILE)) {
        mkdirSync(path.dirname(EXAMPLE_DIAGRAM_FILE), { recursive: true });
        writeFileSync(EXAMPLE_DIAGRAM_FILE, markdown);
        writeFileSync(README_FILE, withReadmeDiagram(readFileSync(README_FILE, 'utf8'), app));
        written.push(EXAMPLE_DIAGRAM_FILE, `the diagram in ${README_FILE}`);
      }
      io.out(`Drew ${Object.keys(app.stacks).length} stacks of ${chosen.file} in ${app.applyOrder.waves.length} apply waves: wrote ${written.join(', ')}.\n`);
      return EXIT_OK;
    },
    io,
  );
}

if (require.main === module) runAsProcess(() => diagram(process.argv.slice(2)));
