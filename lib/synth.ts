import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { applyOrder, destroyOrder } from './apply-order';
import { writeHandoff } from './handoff';
import { verifiedHcl } from './hcl/equivalence';

/** Written next to `stacks/` in the output directory. */
export const APPLY_ORDER_FILE = 'apply-order.json';
/** The reverse of the apply order, for tear-down (docs/teardown.md); written beside it. */
export const DESTROY_ORDER_FILE = 'destroy-order.json';
/**
 * An HCL synth also keeps each stack's Terraform JSON here, outside `stacks/`
 * (Terraform would read a `.tf.json` beside `cdk.tf` as a second copy), so the
 * access proof and the diagram read the same stacks in either format.
 */
export const JSON_TWIN_DIR = 'json';

/**
 * Synthesizes into a staging directory and swaps it into place only when
 * everything succeeded, so a failed run leaves an earlier output untouched and
 * a successful one leaves no stack of an older configuration behind (nor a
 * `cdk.tf.json` of an earlier JSON synth beside a new `cdk.tf`).
 */
export function synthesizeAtomically(outdir: string, build: (app: App) => void): void {
  const output = stage(outdir);
  try {
    const app = new App({ outdir: output.staging, skipValidation: false });
    build(app);
    app.synth();
    writeApplyOrder(app, output.staging);
  } catch (error) {
    output.abort();
    throw error;
  }
  output.commit();
}

/**
 * The same as `synthesizeAtomically`, in HCL (`cdk.tf` per stack): cdktf's
 * HCL repaired and formatted (see `repairHcl`), and written only if it parses
 * to the same configuration as the JSON synth of the same stacks; plus the
 * hand-off folder (`handoff/`) for teams that only run Terraform.
 */
export async function synthesizeHclAtomically(outdir: string, build: (app: App) => void): Promise<void> {
  const output = stage(outdir);
  try {
    const app = new App({ outdir: output.staging, skipValidation: false, hclOutput: true });
    build(app);
    app.synth();
    for (const stack of stacksOf(app)) {
      // Rendered here because cdktf 0.21's stacks only write HCL when SYNTH_HCL_OUTPUT is set;
      // with App({ hclOutput: true }) alone they write JSON into cdk.tf.
      const rendered = stack.toHclTerraform();
      const hcl = await verifiedHcl(stack.node.id, rendered.hcl, stack.toTerraform());
      const manifest = app.manifest.forStack(stack);
      writeFileSync(path.join(output.staging, manifest.synthesizedStackPath), hcl);
      writeFileSync(path.join(output.staging, manifest.stackMetadataPath), `${JSON.stringify(rendered.metadata, null, 2)}\n`);
      mkdirSync(path.join(output.staging, JSON_TWIN_DIR), { recursive: true });
      writeFileSync(path.join(output.staging, JSON_TWIN_DIR, `${stack.node.id}.tf.json`), `${JSON.stringify(stack.toTerraform(), null, 2)}\n`);
    }
    writeApplyOrder(app, output.staging);
    await writeHandoff(output.staging);
  } catch (error) {
    output.abort();
    throw error;
  }
  output.commit();
}

function stage(outdir: string): { staging: string; commit(): void; abort(): void } {
  const staging = `${outdir}.staging-${process.pid}`;
  const previous = `${outdir}.previous-${process.pid}`;
  mkdirSync(path.dirname(outdir), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  return {
    staging,
    abort: () => rmSync(staging, { recursive: true, force: true }),
    commit: () => {
      if (existsSync(outdir)) renameSync(outdir, previous);
      renameSync(staging, outdir);
      rmSync(previous, { recursive: true, force: true });
    },
  };
}

function stacksOf(app: App): TerraformStack[] {
  return app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
}

export function writeApplyOrder(app: App, outdir: string): void {
  const order = applyOrder(stacksOf(app));
  writeFileSync(path.join(outdir, APPLY_ORDER_FILE), `${JSON.stringify(order, null, 2)}\n`);
  writeFileSync(path.join(outdir, DESTROY_ORDER_FILE), `${JSON.stringify(destroyOrder(order), null, 2)}\n`);
}
