import type { SynthesizedApp, TerraformJson } from '../verify/synthesized';
import { replacingArguments } from './force-new';

/** One changed value inside a resource, at a path such as `stage[3].action[0].configuration.StackName`. */
export interface AttributeChange {
  path: string;
  /** Absent when the value was added. */
  before?: unknown;
  /** Absent when the value was removed. */
  after?: unknown;
}

export interface ResourceChange {
  /** `aws_iam_role.deploy`, or `data.aws_iam_policy_document.x` for a data source. */
  address: string;
  type: string;
  action: 'create' | 'update' | 'replace' | 'destroy' | 'read';
  /** Why a plan would replace it: the replacing arguments that changed, or the address it had. */
  replaceReasons: string[];
  /** For update, replace and read: what changed. */
  attributes: AttributeChange[];
  /** Data sources whose change reaches this resource through a reference (its policy document...). */
  via: string[];
  /** `lifecycle.prevent_destroy` is set and the plan would destroy it: the plan stops with an error. */
  protectedFromDestroy: boolean;
}

export interface StackDiff {
  stack: string;
  status: 'added' | 'removed' | 'changed';
  resources: ResourceChange[];
  /** Top-level sections other than resources and data that changed: provider, terraform (backend), output... */
  settings: string[];
}

/** Per stack, what a plan of the new output would do to the resources of the earlier one. */
export function diffResources(before: SynthesizedApp, after: SynthesizedApp): StackDiff[] {
  const names = [...new Set([...Object.keys(before.stacks), ...Object.keys(after.stacks)])].sort();
  const out: StackDiff[] = [];
  for (const stack of names) {
    const old = before.stacks[stack];
    const now = after.stacks[stack];
    const diff = diffStack(old ?? {}, now ?? {});
    const status = !old ? 'added' : !now ? 'removed' : 'changed';
    if (status !== 'changed') diff.settings = [];
    else if (diff.resources.length === 0 && diff.settings.length === 0) continue;
    out.push({ stack, status, ...diff });
  }
  return out;
}

type Blocks = Map<string, { type: string; body: TerraformJson; data: boolean }>;

function blocksOf(json: TerraformJson): Blocks {
  const out: Blocks = new Map();
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries<TerraformJson>(json[kind] ?? {})) {
      for (const [name, body] of Object.entries<TerraformJson>(byName)) {
        out.set(`${kind === 'data' ? 'data.' : ''}${type}.${name}`, { type, body: withoutMetadata(body), data: kind === 'data' });
      }
    }
  }
  return out;
}

/** cdktf's `//` metadata (construct path, unique id) is no part of the configuration Terraform plans. */
function withoutMetadata(body: TerraformJson): TerraformJson {
  const { ['//']: _metadata, ...rest } = body;
  return rest;
}

function diffStack(before: TerraformJson, after: TerraformJson): Omit<StackDiff, 'stack' | 'status'> {
  const old = blocksOf(before);
  const now = blocksOf(after);
  const resources: ResourceChange[] = [];
  const removed: string[] = [];
  const added: string[] = [];
  for (const address of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const a = old.get(address);
    const b = now.get(address);
    if (a && !b) removed.push(address);
    else if (!a && b) added.push(address);
    else if (a && b) {
      const attributes = valueChanges(a.body, b.body, '');
      if (attributes.length === 0) continue;
      if (b.data) {
        resources.push(change(address, b.type, 'read', [], attributes, b.body));
        continue;
      }
      const replacing = replacingArguments(b.type);
      const reasons = [...new Set(attributes.map((c) => topArgument(c.path)).filter((arg) => replacing.includes(arg)))];
      resources.push(change(address, b.type, reasons.length > 0 ? 'replace' : 'update', reasons, attributes, a.body));
    }
  }
  for (const address of removed) {
    const { type, body, data } = old.get(address)!;
    if (!data) resources.push(change(address, type, 'destroy', [], [], body));
  }
  for (const address of added) {
    const { type, data } = now.get(address)!;
    if (!data) resources.push(change(address, type, 'create', [], [], {}));
  }
  // A changed policy document changes the resources that reference it, though their own arguments read the same.
  const changedData = resources.filter((r) => r.action === 'read').map((r) => r.address);
  for (const [address, block] of now) {
    if (block.data || !old.has(address)) continue;
    const text = JSON.stringify(block.body);
    const via = changedData.filter((d) => text.includes(`\${${d}.`));
    if (via.length === 0) continue;
    const existing = resources.find((r) => r.address === address);
    if (existing) existing.via.push(...via);
    else resources.push({ ...change(address, block.type, 'update', [], [], block.body), via });
  }
  resources.sort((x, y) => x.address.localeCompare(y.address));
  const settings = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !['resource', 'data', '//'].includes(key))
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .sort();
  return { resources, settings };
}

function change(
  address: string,
  type: string,
  action: ResourceChange['action'],
  replaceReasons: string[],
  attributes: AttributeChange[],
  body: TerraformJson,
): ResourceChange {
  const protectedFromDestroy = (action === 'destroy' || action === 'replace') && body.lifecycle?.prevent_destroy === true;
  return { address, type, action, replaceReasons, attributes, via: [], protectedFromDestroy };
}

/** `stage[3].action[0].name` → `stage`. */
function topArgument(path: string): string {
  return /^[^.[]+/.exec(path)?.[0] ?? path;
}

/**
 * Every leaf that differs, with its path (indexes of the new value; of the old
 * one for a removed element). Arrays are aligned on their longest common run
 * of equal elements, so one element inserted into a list reads as one
 * addition, not as every later element changed.
 */
function valueChanges(before: unknown, after: unknown, path: string): AttributeChange[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) return arrayChanges(before, after, path);
  if (isObject(before) && isObject(after)) {
    const out: AttributeChange[] = [];
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const at = path ? `${path}.${key}` : key;
      if (!(key in before)) out.push({ path: at, after: after[key] });
      else if (!(key in after)) out.push({ path: at, before: before[key] });
      else out.push(...valueChanges(before[key], after[key], at));
    }
    return out;
  }
  return [{ path, before, after }];
}

function arrayChanges(before: unknown[], after: unknown[], path: string): AttributeChange[] {
  const a = before.map((v) => JSON.stringify(v));
  const b = after.map((v) => JSON.stringify(v));
  // common[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out: AttributeChange[] = [];
  let removed: number[] = [];
  let added: number[] = [];
  // Between two equal elements, the unmatched ones pair up by position (a changed element), the rest were added or removed.
  const flush = () => {
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k++) out.push(...valueChanges(before[removed[k]], after[added[k]], `${path}[${added[k]}]`));
    for (const r of removed.slice(paired)) out.push({ path: `${path}[${r}]`, before: before[r] });
    for (const s of added.slice(paired)) out.push({ path: `${path}[${s}]`, after: after[s] });
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || common[i][j + 1] >= common[i + 1][j])) {
      added.push(j++);
    } else {
      removed.push(i++);
    }
  }
  flush();
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Pairs each destroyed resource with a created one that likely stands in for
 * it (a renamed target's role, bucket...): the same address in another stack
 * (a renamed target renames its stack), else the same type in the same stack.
 * Terraform knows resources by address, so the plan destroys the one and
 * creates the other: a replacement, with whatever the old one held.
 */
export function renamedResources(stacks: StackDiff[]): Array<{ from: string; to: string; type: string }> {
  const destroyed = stacks.flatMap((s) => s.resources.filter((r) => r.action === 'destroy').map((r) => ({ stack: s.stack, r })));
  const created = stacks.flatMap((s) => s.resources.filter((r) => r.action === 'create').map((r) => ({ stack: s.stack, r })));
  const pairs: Array<{ from: string; to: string; type: string }> = [];
  const taken = new Set<string>();
  for (const d of destroyed) {
    const candidates = created.filter((c) => c.r.type === d.r.type && !taken.has(`${c.stack}:${c.r.address}`));
    if (candidates.length === 0) continue;
    const best = candidates.find((c) => c.r.address === d.r.address) ?? candidates.find((c) => c.stack === d.stack);
    if (!best) continue;
    taken.add(`${best.stack}:${best.r.address}`);
    pairs.push({ from: `${d.stack}: ${d.r.address}`, to: `${best.stack}: ${best.r.address}`, type: d.r.type });
  }
  return pairs;
}
