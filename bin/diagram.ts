import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../lib/config/load';
import { diagramMarkdown, EXAMPLE_DIAGRAM_FILE } from '../lib/verify/diagram';
import { readSynthesized } from '../lib/verify/synthesized';

// Draws the synthesized stacks (CDKTF_OUTDIR, default cdktf.out) into <outdir>/diagram.md, and for the example
// configuration also into docs/diagram.md.
try {
  const { file } = loadConfig(process.env);
  const outdir = process.env.CDKTF_OUTDIR || 'cdktf.out';
  const markdown = diagramMarkdown(readSynthesized(outdir), file);
  writeFileSync(path.join(outdir, 'diagram.md'), markdown);
  console.log(`wrote ${path.join(outdir, 'diagram.md')}`);
  if (path.normalize(file) === path.normalize(DEFAULT_CONFIG_FILE)) {
    mkdirSync(path.dirname(EXAMPLE_DIAGRAM_FILE), { recursive: true });
    writeFileSync(EXAMPLE_DIAGRAM_FILE, markdown);
    console.log(`wrote ${EXAMPLE_DIAGRAM_FILE}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
