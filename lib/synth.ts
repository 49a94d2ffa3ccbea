import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { applyOrder, destroyOrder } from './apply-order';
import { writeHandoff } from './handoff';
import { verifiedHcl } from './hcl/equivalence';
import { OutputDirectory, type OutputOptions } from './output-directory';

export { OUTPUT_MARKER_FILE, OutputError, type CommitStep, type OutputOptions } from './output-directory';

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
 * `cdk.tf.json` of an earlier JSON synth beside a new `cdk.tf`). The output
 * directory is ours alone (see `OutputDirectory`): one that does not carry
 * the marker file is refused, a commit interrupted by a kill is rolled back
 * by the next run, and concurrent runs into one directory are refused while
 * one is writing. File system errors become one `OutputError` line.
 */
export function synthesizeAtomically(outdir: string, build: (app: App) => void, options: OutputOptions = {}): void {
  const output = new OutputDirectory(outdir, options);
  try {
    output.writeSync((staging) => {
      const app = new App({ outdir: staging, skipValidation: false });
      build(app);
      app.synth();
      writeApplyOrder(app, staging);
    });
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
export async function synthesizeHclAtomically(outdir: string, build: (app: App) => void, options: OutputOptions = {}): Promise<void> {
  const output = new OutputDirectory(outdir, options);
  try {
    await output.write(async (staging) => {
      const app = new App({ outdir: staging, skipValidation: false, hclOutput: true });
      build(app);
      app.synth();
      for (const stack of stacksOf(app)) {
        // Rendered here because cdktf 0.21's stacks only write HCL when SYNTH_HCL_OUTPUT is set;
        // with App({ hclOutput: true }) alone they write JSON into cdk.tf.
        const rendered = stack.toHclTerraform();
        const hcl = await verifiedHcl(stack.node.id, rendered.hcl, stack.toTerraform());
        const manifest = app.manifest.forStack(stack);
        writeFileSync(path.join(staging, manifest.synthesizedStackPath), hcl);
        writeFileSync(path.join(staging, manifest.stackMetadataPath), `${JSON.stringify(rendered.metadata, null, 2)}\n`);
        mkdirSync(path.join(staging, JSON_TWIN_DIR), { recursive: true });
        writeFileSync(path.join(staging, JSON_TWIN_DIR, `${stack.node.id}.tf.json`), `${JSON.stringify(stack.toTerraform(), null, 2)}\n`);
      }
      writeApplyOrder(app, staging);
      await writeHandoff(staging);
    });
  } catch (error) {
    output.abort();
    throw error;
  }
  output.commit();
}

function stacksOf(app: App): TerraformStack[] {
  return app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
}

export function writeApplyOrder(app: App, outdir: string): void {
  const order = applyOrder(stacksOf(app));
  writeFileSync(path.join(outdir, APPLY_ORDER_FILE), `${JSON.stringify(order, null, 2)}\n`);
  writeFileSync(path.join(outdir, DESTROY_ORDER_FILE), `${JSON.stringify(destroyOrder(order), null, 2)}\n`);
}
