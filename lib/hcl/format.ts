import { bracketChange, lines, type Token } from './tokenize';

/**
 * Lays tokens out the way `terraform fmt` does (hclwrite's rules): two
 * spaces per open bracket level, one space between most tokens, and the `=`
 * of consecutive single-line attributes aligned. Heredoc content is kept
 * verbatim. Formatting twice gives the same text.
 */
export function formatTokens(tokens: Token[]): string {
  const heredoc = { open: false };
  const rows = lines(tokens).map((line) => toRow(line, heredoc));
  indent(rows);
  alignCells(rows, (row) => row.assign, (row) => columns(row.lead));
  alignCells(rows, (row) => row.comment, (row) => columns(row.lead) + columns(row.assign ?? []));
  return rows.map(render).join('\n');
}

interface Spaced {
  token: Token;
  spacesBefore: number;
}

/** One line in hclwrite's three cells: what leads, an attribute's `= value`, and a trailing comment. */
interface Row {
  verbatim?: string;
  lead: Spaced[];
  assign?: Spaced[];
  comment?: Spaced[];
}

/** Heredoc content and its closing line are kept verbatim. */
function toRow(line: Token[], heredoc: { open: boolean }): Row {
  if (heredoc.open) {
    const [only] = line;
    if (only?.type === 'cheredoc') heredoc.open = false;
    return { verbatim: only?.text ?? '', lead: [] };
  }
  if (line.some((t) => t.type === 'oheredoc')) heredoc.open = true;

  let tokens = line;
  let comment: Token[] | undefined;
  if (tokens.length > 1 && tokens[tokens.length - 1].type === 'comment') {
    comment = tokens.slice(-1);
    tokens = tokens.slice(0, -1);
  }
  let lead = tokens;
  let assign: Token[] | undefined;
  const equals = tokens.findIndex((t, i) => i > 0 && t.type === 'punct' && t.text === '=');
  if (equals > 0 && tokens.slice(equals).reduce((n, t) => n + bracketChange(t), 0) === 0) {
    lead = tokens.slice(0, equals);
    assign = tokens.slice(equals);
  }
  return { lead: spaced(lead, 0), assign: assign && spaced(assign, 1), comment: comment && spaced(comment, 1) };
}

function spaced(tokens: Token[], first: number): Spaced[] {
  return tokens.map((token, i) => ({
    token,
    spacesBefore: i === 0 ? first : spaceAfter(tokens[i - 1], tokens[i - 2], token) ? 1 : 0,
  }));
}

function indent(rows: Row[]): void {
  const indents: number[] = [];
  for (const row of rows) {
    if (row.verbatim !== undefined || row.lead.length === 0) continue;
    let net = 0;
    for (const { token } of row.lead) {
      net += bracketChange(token);
      if (token.type === 'oheredoc') break;
    }
    for (const { token } of row.assign ?? []) net += bracketChange(token);
    if (net > 0) {
      row.lead[0].spacesBefore = 2 * indents.length;
      indents.push(net);
    } else {
      let closed = -net;
      while (closed > 0 && indents.length > 0) {
        const top = indents[indents.length - 1];
        if (closed >= top) {
          closed -= top;
          indents.pop();
        } else {
          indents[indents.length - 1] -= closed;
          closed = 0;
        }
      }
      row.lead[0].spacesBefore = 2 * indents.length;
    }
  }
}

/** Aligns a cell over runs of consecutive rows that all have it. */
function alignCells(rows: Row[], cell: (row: Row) => Spaced[] | undefined, widthBefore: (row: Row) => number): void {
  let chain: Row[] = [];
  const close = () => {
    const widest = Math.max(...chain.map(widthBefore));
    for (const row of chain) cell(row)![0].spacesBefore = widest - widthBefore(row) + 1;
    chain = [];
  };
  for (const row of rows) {
    if (row.verbatim === undefined && cell(row)) chain.push(row);
    else if (chain.length > 0) close();
  }
  if (chain.length > 0) close();
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

function columns(cell: Spaced[]): number {
  return cell.reduce((sum, { token, spacesBefore }) => sum + spacesBefore + [...graphemes.segment(token.text)].length, 0);
}

function render(row: Row): string {
  if (row.verbatim !== undefined) return row.verbatim;
  return [...row.lead, ...(row.assign ?? []), ...(row.comment ?? [])]
    .map(({ token, spacesBefore }) => ' '.repeat(spacesBefore) + token.text)
    .join('');
}

const is = (token: Token | undefined, ...texts: string[]) => token?.type === 'punct' && texts.includes(token.text);

/** hclwrite's spaceAfterToken: whether `subject` is followed by a space before `after`. */
function spaceAfter(subject: Token, before: Token | undefined, after: Token): boolean {
  switch (true) {
    case subject.type === 'ident' && is(after, '('):
      return false;
    case is(subject, '.') || is(after, '.'):
      return false;
    case is(after, ',', '...'):
      return false;
    case is(subject, ','):
      return true;
    case ['quotedLit', 'heredocLine', 'oquote', 'oheredoc'].includes(subject.type) ||
      ['quotedLit', 'heredocLine', 'cquote', 'cheredoc'].includes(after.type):
      return false;
    case subject.type === 'ident' && subject.text === 'in' && before?.type === 'ident':
      return true;
    case is(after, '[') && (subject.type === 'ident' || subject.type === 'number' || bracketChange(subject) < 0):
      return false;
    case is(subject, '-'):
      return !(
        before === undefined ||
        is(before, '(', '{', '[', '=', ':', ',', '?', '+', '*', '/', '%', '-', '==', '!=', '>', '>=', '<', '<=', '&&', '||', '!')
      );
    case is(subject, '{') || is(after, '}'):
      return !(is(subject, '{') && is(after, '}'));
    case (subject.type === 'interp' || subject.type === 'control') && is(after, '{'):
      return true;
    case is(subject, '}') && after.type === 'seqEnd':
      return true;
    case subject.type === 'seqEnd' && after.type === 'interp':
      return false;
    case bracketChange(subject) > 0:
      return false;
    case bracketChange(after) < 0:
      return false;
    default:
      return true;
  }
}
