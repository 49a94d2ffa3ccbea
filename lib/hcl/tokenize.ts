/**
 * A tokenizer for the HCL native syntax, enough to repair and format the HCL
 * that cdktf writes. Whitespace is not kept (the formatter decides it), except
 * inside heredocs, whose lines are kept verbatim.
 */

export type TokenType =
  | 'newline'
  | 'comment'
  | 'ident'
  | 'number'
  /** Opening `"` of a string template. */
  | 'oquote'
  /** Literal text of a string template, escapes kept as written. */
  | 'quotedLit'
  /** `${` inside a template. */
  | 'interp'
  /** `%{` inside a template. */
  | 'control'
  /** The `}` that ends an interpolation or a directive. */
  | 'seqEnd'
  | 'cquote'
  /** `<<EOF` or `<<-EOF`. */
  | 'oheredoc'
  /** One line of a heredoc's content, verbatim. */
  | 'heredocLine'
  /** The line that ends a heredoc, verbatim. */
  | 'cheredoc'
  | 'punct';

export interface Token {
  type: TokenType;
  text: string;
}

const PUNCTUATION = ['...', '==', '!=', '<=', '>=', '&&', '||', '=>', '{', '}', '[', ']', '(', ')', '=', ',', '.', ':', '?', '<', '>', '!', '+', '-', '*', '/', '%'];

type Mode = { kind: 'code'; template: boolean; braces: number } | { kind: 'string' } | { kind: 'heredoc'; marker: string };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const modes: Mode[] = [{ kind: 'code', template: false, braces: 0 }];
  let i = 0;
  const push = (type: TokenType, text: string) => tokens.push({ type, text });

  while (i < source.length) {
    const mode = modes[modes.length - 1];
    if (mode.kind === 'heredoc') {
      const end = source.indexOf('\n', i);
      const line = source.slice(i, end === -1 ? source.length : end);
      if (line.trim() === mode.marker) {
        push('cheredoc', line);
        modes.pop();
      } else {
        push('heredocLine', line);
        push('newline', '\n');
      }
      i = end === -1 ? source.length : line.trim() === mode.marker ? end : end + 1;
      continue;
    }
    if (mode.kind === 'string') {
      if (source[i] === '"') {
        push('cquote', '"');
        modes.pop();
        i++;
      } else if (source.startsWith('${', i) || source.startsWith('%{', i)) {
        push(source[i] === '$' ? 'interp' : 'control', source.slice(i, i + 2));
        modes.push({ kind: 'code', template: true, braces: 0 });
        i += 2;
      } else {
        let j = i;
        while (j < source.length && source[j] !== '"' && source[j] !== '\n') {
          if (source[j] === '\\') j += 2;
          else if (source.startsWith('$${', j) || source.startsWith('%%{', j)) j += 3;
          else if (source.startsWith('${', j) || source.startsWith('%{', j)) break;
          else j++;
        }
        if (j === i) throw new Error(`unterminated string at offset ${i}`);
        push('quotedLit', source.slice(i, j));
        i = j;
      }
      continue;
    }

    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '\n') {
      push('newline', '\n');
      i++;
    } else if (c === '#' || source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      push('comment', source.slice(i, end === -1 ? source.length : end).trimEnd());
      i = end === -1 ? source.length : end;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) throw new Error(`unterminated comment at offset ${i}`);
      push('comment', source.slice(i, end + 2));
      i = end + 2;
    } else if (c === '"') {
      push('oquote', '"');
      modes.push({ kind: 'string' });
      i++;
    } else if (/^<<-?[A-Za-z_][\w-]*\r?\n/.test(source.slice(i, i + 64))) {
      const [opener, marker] = /^<<-?([A-Za-z_][\w-]*)/.exec(source.slice(i))!;
      push('oheredoc', opener);
      i += opener.length;
      while (source[i] === '\r') i++;
      push('newline', '\n');
      i++;
      modes.push({ kind: 'heredoc', marker });
    } else if (/[0-9]/.test(c)) {
      const [number] = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      push('number', number);
      i += number.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const [ident] = /^[A-Za-z_][\w-]*/.exec(source.slice(i))!;
      push('ident', ident);
      i += ident.length;
    } else {
      const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
      if (!punct) throw new Error(`unexpected character ${JSON.stringify(c)} at offset ${i}`);
      if (mode.template && punct === '}' && mode.braces === 0) {
        push('seqEnd', '}');
        modes.pop();
      } else {
        if (mode.template && punct === '{') mode.braces++;
        if (mode.template && punct === '}') mode.braces--;
        push('punct', punct);
      }
      i += punct.length;
    }
  }
  if (modes.length !== 1) throw new Error('unterminated string, template or heredoc at end of input');
  return tokens;
}

/** How a token changes the bracket depth, as `terraform fmt` counts it. */
export function bracketChange(token: Token): number {
  if (token.type === 'interp' || token.type === 'control') return 1;
  if (token.type === 'seqEnd') return -1;
  if (token.type !== 'punct') return 0;
  if (token.text === '{' || token.text === '[' || token.text === '(') return 1;
  if (token.text === '}' || token.text === ']' || token.text === ')') return -1;
  return 0;
}

/** Splits tokens into lines (without the newline tokens). */
export function lines(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const token of tokens) {
    if (token.type === 'newline') out.push([]);
    else out[out.length - 1].push(token);
  }
  return out;
}
