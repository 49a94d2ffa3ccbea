import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The script that runs the CLI installed as `cdktf-cli` under `root`, read
 * from the `bin` entry of its package.json: HashiCorp's cdktf-cli names it
 * `bundle/bin/cdktf`, CDK Terrain's cdktn-cli (installed under the same name,
 * see docs/cdk-terrain.md) `bin/cdktn`.
 */
export function cdktfCliEntry(root: string): string {
  const dir = path.join(root, 'node_modules', 'cdktf-cli');
  const { name, bin } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string; bin?: string | Record<string, string> };
  const entries = typeof bin === 'string' ? [bin] : Object.values(bin ?? {});
  if (entries.length !== 1) throw new Error(`${name} (node_modules/cdktf-cli) should have one bin entry, has ${entries.length}`);
  return path.join(dir, entries[0]);
}
