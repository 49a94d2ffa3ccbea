import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ApplyOrder } from '../apply-order';
import { APPLY_ORDER_FILE, JSON_TWIN_DIR } from '../synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
export type TerraformJson = Record<string, any>;

/** What `npm run synth` wrote: every stack's Terraform JSON and the apply order. */
export interface SynthesizedApp {
  /** Stack name → the stack's cdk.tf.json, in manifest order. */
  stacks: Record<string, TerraformJson>;
  applyOrder: ApplyOrder;
}

/** Reads cdktf.out (or another output directory) through its manifest. */
export function readSynthesized(outdir: string): SynthesizedApp {
  const manifestFile = path.join(outdir, 'manifest.json');
  let manifest: TerraformJson;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${manifestFile} (run npm run synth first): ${(error as Error).message}`);
  }
  const stacks: Record<string, TerraformJson> = {};
  for (const [name, stack] of Object.entries<any>(manifest.stacks)) {
    // An HCL synth (cdk.tf) keeps the same stack as JSON in json/<stack>.tf.json.
    const file = stack.synthesizedStackPath.endsWith('.json') ? stack.synthesizedStackPath : path.join(JSON_TWIN_DIR, `${name}.tf.json`);
    try {
      stacks[name] = JSON.parse(readFileSync(path.join(outdir, file), 'utf8'));
    } catch (error) {
      throw new Error(`cannot read stack ${name} from ${path.join(outdir, file)} (synthesize again): ${(error as Error).message}`);
    }
  }
  const applyOrder = JSON.parse(readFileSync(path.join(outdir, APPLY_ORDER_FILE), 'utf8'));
  return { stacks, applyOrder };
}

/** One resource or data source of a stack. */
export interface Block {
  stack: string;
  kind: 'resource' | 'data';
  type: string;
  name: string;
  body: any;
}

/** `aws_s3_bucket.x` or `data.aws_iam_policy_document.x`, as Terraform addresses it. */
export function address(block: Pick<Block, 'kind' | 'type' | 'name'>): string {
  return `${block.kind === 'data' ? 'data.' : ''}${block.type}.${block.name}`;
}

/** Every resource and data source of every stack, in a stable order. */
export function allBlocks(app: SynthesizedApp): Block[] {
  const out: Block[] = [];
  for (const [stack, json] of Object.entries(app.stacks)) {
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries<any>(json[kind] ?? {})) {
        for (const [name, body] of Object.entries<any>(byName)) out.push({ stack, kind, type, name, body });
      }
    }
  }
  return out;
}
