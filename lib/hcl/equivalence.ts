import { repairHcl } from './repair';

/* eslint-disable @typescript-eslint/no-explicit-any -- Terraform JSON and parsed HCL are untyped */

/** cdktf's HCL of a stack cannot be used: it is not valid, or it does not mean what the JSON synth means. */
export class HclSynthesisError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(
      `stack ${stack}: cdktf's HCL cannot be used, so no HCL was written ` +
        `(a cdktf HCL rendering defect, such as hashicorp/terraform-cdk#3911 for tokens inside serialized strings; ` +
        `build such values with Fn.jsonencode or a policy document instead):\n` +
        problems.slice(0, 20).map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'HclSynthesisError';
  }
}

/**
 * Parses HCL with the same parser Terraform uses (hcl2json); throws with the
 * file name on a syntax error. Loaded on first use: loading hcl2json starts
 * its WebAssembly runtime, which a JSON synth does not need.
 */
export async function parseHcl(file: string, hcl: string): Promise<Record<string, any>> {
  const { parse } = await import('@cdktf/hcl2json');
  return parse(file, hcl);
}

/**
 * cdktf's HCL of one stack, repaired and formatted, once it is proven to be
 * the same configuration as the stack's JSON synth.
 */
export async function verifiedHcl(stack: string, rendered: string, json: unknown): Promise<string> {
  let hcl: string;
  let parsed: Record<string, any>;
  try {
    hcl = repairHcl(rendered);
    parsed = await parseHcl(`${stack}/cdk.tf`, hcl);
  } catch (error) {
    throw new HclSynthesisError(stack, [`not valid HCL: ${(error as Error).message}`]);
  }
  const differences = compare(canonical(json), canonical(parsed), '');
  if (differences.length > 0) throw new HclSynthesisError(stack, differences);
  return hcl;
}

/**
 * One shape for both syntaxes: no cdktf metadata (`//`), a block written
 * once is the same as a one-element list of it, references are `${...}`
 * whether quoted or not, and whitespace inside an expression (outside its
 * strings) does not matter.
 */
export function canonical(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item, key === 'depends_on' ? 'reference' : undefined));
    return items.length === 1 && isObject(items[0]) ? items[0] : items;
  }
  if (isObject(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => k !== '//')
        .sort()
        .map((k) => [k, canonical(value[k], k)]),
    );
  }
  if (typeof value === 'string') {
    const reference = (key === 'provider' || key === 'reference') && !value.startsWith('${') ? `\${${value}}` : value;
    return /^\$\{[\s\S]*\}$/.test(reference) ? withoutCodeWhitespace(reference) : reference;
  }
  return value;
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Removes whitespace that is outside string literals. */
function withoutCodeWhitespace(expression: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (inString && c === '\\') {
      out += c + expression[++i];
      continue;
    }
    if (c === '"') inString = !inString;
    if (inString || !/\s/.test(c)) out += c;
  }
  return out;
}

function compare(expected: unknown, actual: unknown, path: string): string[] {
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => compare(expected[k], actual[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    return expected.flatMap((item, i) => compare(item, actual[i], `${path}[${i}]`));
  }
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  return [`${path}: JSON ${brief(expected)}, HCL ${brief(actual)}`];
}

function brief(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
