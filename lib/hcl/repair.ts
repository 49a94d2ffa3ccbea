import { formatTokens } from './format';
import { lines, type Token, tokenize } from './tokenize';

/**
 * Repairs the HCL that cdktf 0.21 writes (`cdktf synth --hcl`) and formats
 * it like `terraform fmt`:
 *
 * - quoted provider references (`provider = "aws.x"`) and quoted
 *   `depends_on` entries become references (`provider = aws.x`);
 * - `backend "remote" { workspaces = {...} }`, which `terraform init`
 *   rejects, gets its `workspaces` block back (hashicorp/terraform-cdk#3698);
 * - `"${expr}"` becomes `expr`, as `terraform fmt` would write it;
 * - empty blocks in the `terraform` block (`required_providers {}`) go;
 * - one blank line between top-level blocks, none piled up inside them.
 *
 * Defects that change what a value means, such as tokens inside serialized
 * strings (hashicorp/terraform-cdk#3911), cannot be repaired from the HCL;
 * `verifiedHcl` catches them.
 */
export function repairHcl(source: string): string {
  return layout(fixReferences(tokenize(source)));
}

/** A `{` or `[`/`(`/`${` that is open at some point of the walk. */
interface Frame {
  kind: 'block' | 'object' | 'other';
  /** For blocks: type and labels, e.g. `resource`, [`aws_s3_bucket`, `x`]. */
  header: string[];
  parent?: Frame;
}

const TRAVERSAL = /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/;
const REFERENCE_LISTS = new Set(['depends_on']);

function fixReferences(tokens: Token[]): Token[] {
  const out: Token[] = [];
  let stack: Frame | undefined;
  let referenceList: Frame | undefined;
  for (const line of lines(tokens).map((l, i, all) => (i < all.length - 1 ? [...l, NEWLINE] : l))) {
    const body = stack?.kind === 'block' ? stack : undefined;
    const attribute = line[0]?.type === 'ident' && isPunct(line[1], '=') ? line[0].text : undefined;
    let fixed = line;
    if (body && !body.parent && attribute) {
      const [blockType] = body.header;
      if (attribute === 'provider' && (blockType === 'resource' || blockType === 'data')) fixed = unquoteValue(line);
    }
    let openAsBlock = false;
    if (body?.header.join(' ') === 'backend remote' && body.parent?.header[0] === 'terraform' && attribute === 'workspaces') {
      fixed = line.filter((_, i) => i !== 1);
      openAsBlock = true;
    }
    const listOpener = body && !body.parent && attribute && REFERENCE_LISTS.has(attribute);

    for (let i = 0; i < fixed.length; i++) {
      const token = fixed[i];
      if (referenceList && token.type === 'oquote' && fixed[i + 2]?.type === 'cquote' && TRAVERSAL.test(fixed[i + 1]?.text)) {
        out.push(...traversal(fixed[i + 1].text));
        i += 2;
        continue;
      }
      if (token.type === 'oquote') {
        const end = stringEnd(fixed, i);
        const inner = interpolationOnly(fixed.slice(i, end + 1));
        const isKey = isPunct(fixed[end + 1], '=') || isPunct(fixed[end + 1], ':');
        if (inner && !isKey) {
          out.push(...inner);
          i = end;
          continue;
        }
      }
      out.push(token);
      if (token.type === 'punct' && (token.text === '{' || token.text === '[' || token.text === '(')) {
        const header = fixed.slice(0, i);
        const isBlock =
          token.text === '{' &&
          (stack === undefined || stack.kind === 'block') &&
          (openAsBlock || (header.length > 0 && header.every((t) => t.type !== 'punct')));
        stack = { kind: isBlock ? 'block' : token.text === '{' ? 'object' : 'other', header: blockHeader(header), parent: stack };
        if (listOpener && token.text === '[') referenceList = stack;
      } else if (token.type === 'punct' && (token.text === '}' || token.text === ']' || token.text === ')')) {
        if (stack === referenceList) referenceList = undefined;
        stack = stack?.parent;
      }
    }
  }
  return out;
}

export const NEWLINE: Token = { type: 'newline', text: '\n' };

function isPunct(token: Token | undefined, text: string): boolean {
  return token?.type === 'punct' && token.text === text;
}

function blockHeader(tokens: Token[]): string[] {
  return tokens.filter((t) => t.type === 'ident' || t.type === 'quotedLit').map((t) => t.text);
}

function traversal(text: string): Token[] {
  return text.split('.').flatMap((part, i): Token[] => [
    ...(i > 0 ? [{ type: 'punct' as const, text: '.' }] : []),
    { type: 'ident', text: part },
  ]);
}

/** `name = "a.b"` → `name = a.b` when the string is a plain reference. */
function unquoteValue(line: Token[]): Token[] {
  const [name, equals, open, literal, close, ...rest] = line;
  if (open?.type !== 'oquote' || close?.type !== 'cquote' || !TRAVERSAL.test(literal.text)) return line;
  return [name, equals, ...traversal(literal.text), ...rest];
}

/** Index of the `cquote` that closes the string opening at `start`. */
function stringEnd(tokens: Token[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length; i++) {
    if (tokens[i].type === 'oquote') depth++;
    if (tokens[i].type === 'cquote' && --depth === 0) return i;
  }
  throw new Error('unterminated string');
}

/** The expression inside `"${expr}"`, or undefined when the string is anything else. */
function interpolationOnly(string: Token[]): Token[] | undefined {
  if (string.length < 5 || string[1].type !== 'interp' || string[string.length - 2].type !== 'seqEnd') return undefined;
  const inner = string.slice(2, -2);
  let quotes = 0;
  for (const token of inner) {
    if (token.type === 'oquote') quotes++;
    else if (token.type === 'cquote') quotes--;
    else if (quotes === 0 && ['interp', 'control', 'seqEnd', 'quotedLit', 'newline', 'oheredoc'].includes(token.type)) return undefined;
  }
  return inner;
}

/**
 * One blank line between top-level blocks, no blank line right inside a
 * block's braces, never two in a row; then `terraform fmt` layout.
 */
export function layout(tokens: Token[]): string {
  const rows = lines(tokens);
  const kept: Token[][] = [];
  let depth = 0;
  let topBlock: string | undefined;
  for (const row of rows) {
    const blank = row.length === 0;
    const previous = kept[kept.length - 1];
    if (depth === 0 && row[0]?.type === 'ident') topBlock = row[0].text;
    // cdktf writes `required_providers {}` for a stack without providers; an empty settings block means nothing.
    const emptySettings =
      topBlock === 'terraform' && depth === 2 && row.length === 1 && isPunct(row[0], '}') &&
      previous?.length === 2 && previous[0].type === 'ident' && isPunct(previous[1], '{');
    if (emptySettings) {
      kept.pop();
      depth--;
      continue;
    }
    if (blank) {
      if (previous && previous.length > 0 && !opens(previous)) kept.push(row);
      continue;
    }
    if (previous?.length === 0 && closes(row)) kept.pop();
    if (depth === 0 && previous && previous.length > 0) kept.push([]);
    kept.push(row);
    depth += row.reduce((n, t) => n + (t.type === 'punct' ? ({ '{': 1, '}': -1 } as Record<string, number>)[t.text] ?? 0 : 0), 0);
  }
  while (kept.length > 0 && kept[kept.length - 1].length === 0) kept.pop();
  while (kept.length > 0 && kept[0].length === 0) kept.shift();
  return `${formatTokens(kept.flatMap((row, i) => (i > 0 ? [NEWLINE, ...row] : row)))}\n`;
}

const opens = (row: Token[]) => isPunct(row[row.length - 1], '{') || isPunct(row[row.length - 1], '[');
const closes = (row: Token[]) => isPunct(row[0], '}') || isPunct(row[0], ']');
