import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { applyOrder } from './apply-order';

/** Written next to `stacks/` in the output directory. */
export const APPLY_ORDER_FILE = 'apply-order.json';

/**
 * Synthesizes into a staging directory and swaps it into place only when
 * everything succeeded, so a failed run leaves an earlier output untouched and
 * a successful one leaves no stack of an older configuration behind.
 */
export function synthesizeAtomically(outdir: string, build: (app: App) => void): void {
  const staging = `${outdir}.staging-${process.pid}`;
  const previous = `${outdir}.previous-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    const app = new App({ outdir: staging, skipValidation: false });
    build(app);
    app.synth();
    writeApplyOrder(app, staging);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (existsSync(outdir)) renameSync(outdir, previous);
  renameSync(staging, outdir);
  rmSync(previous, { recursive: true, force: true });
}

export function writeApplyOrder(app: App, outdir: string): void {
  const stacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
  const order = applyOrder(stacks);
  writeFileSync(path.join(outdir, APPLY_ORDER_FILE), `${JSON.stringify(order, null, 2)}\n`);
}
