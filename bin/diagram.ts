import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load';
import { diagramMarkdown, EXAMPLE_DIAGRAM_FILE, README_FILE, withReadmeDiagram } from '../lib/verify/diagram';
import { readSynthesized } from '../lib/verify/synthesized';

// Draws the synthesized stacks (CDKTF_OUTDIR, default cdktf.out) into <outdir>/diagram.md, and for the example
// configuration also into docs/diagram.md and the README.
try {
  const { file } = loadConfig(process.env);
  const outdir = process.env.CDKTF_OUTDIR || 'cdktf.out';
  const app = readSynthesized(outdir);
  const markdown = diagramMarkdown(app, file);
  writeFileSync(path.join(outdir, 'diagram.md'), markdown);
  console.log(`wrote ${path.join(outdir, 'diagram.md')}`);
  if (path.normalize(file) === path.normalize(DEFAULT_CONFIG_FILE)) {
    mkdirSync(path.dirname(EXAMPLE_DIAGRAM_FILE), { recursive: true });
    writeFileSync(EXAMPLE_DIAGRAM_FILE, markdown);
    writeFileSync(README_FILE, withReadmeDiagram(readFileSync(README_FILE, 'utf8'), app));
    console.log(`wrote ${EXAMPLE_DIAGRAM_FILE} and the diagram in ${README_FILE}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
