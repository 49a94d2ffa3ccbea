import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { Problem } from './problem';

/**
 * Configuration files are read as untrusted input: at most this many bytes
 * (per file, also each file of a configuration directory). The largest
 * generated configuration of the benchmark (100 targets) is about 21 KiB.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * How often YAML aliases may repeat what their anchors hold (the `yaml`
 * package's `maxAliasCount`: references of an anchor times the aliases
 * inside it): enough to share a block between pipelines, far below a
 * "billion laughs" expansion.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/** A file that cannot be read or parsed: its problems, with paths such as `(file)` or `(line 3, column 5)`. */
export class UnreadableFile extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    this.name = 'UnreadableFile';
  }
}

/**
 * The text of a configuration file: refused before reading when it is not a
 * regular file (a directory, FIFO, socket or device such as /dev/zero) or is
 * larger than MAX_CONFIG_FILE_BYTES; checked again on the open descriptor
 * (fstat), so a file swapped meanwhile is refused too; refused when it is not
 * UTF-8. A byte-order mark is dropped.
 */
export function readConfigText(file: string): string {
  const refuse = (message: string): never => {
    throw new UnreadableFile([{ path: '(file)', message }]);
  };
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (error) {
    return refuse(`cannot read ${file}: ${systemMessage(error)}`);
  }
  checkRegular(stat, refuse);
  let fd: number;
  try {
    // Non-blocking: a FIFO put in place after the check above cannot hang the open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return refuse(`cannot read ${file}: ${systemMessage(error)}`);
  }
  try {
    checkRegular(fstatSync(fd), refuse);
    const buffer = Buffer.alloc(MAX_CONFIG_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > MAX_CONFIG_FILE_BYTES) refuse(tooLarge(length));
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, length));
    } catch {
      return refuse('is not UTF-8 text');
    }
    return text.replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    return refuse(`cannot read ${file}: ${systemMessage(error)}`);
  } finally {
    closeSync(fd);
  }
}

function checkRegular(stat: Stats, refuse: (message: string) => never): void {
  if (stat.isDirectory()) refuse('is a directory, where a file is expected');
  if (stat.isFIFO()) refuse('is a FIFO (named pipe), not a regular file; refused before reading');
  if (stat.isSocket()) refuse('is a socket, not a regular file; refused before reading');
  if (stat.isCharacterDevice() || stat.isBlockDevice()) refuse('is a device, not a regular file; refused before reading');
  if (!stat.isFile()) refuse('is not a regular file; refused before reading');
  if (stat.size > MAX_CONFIG_FILE_BYTES) refuse(tooLarge(stat.size));
}

function tooLarge(bytes: number): string {
  return `is larger than ${MAX_CONFIG_FILE_BYTES} bytes (1 MiB), the limit for a configuration file${bytes > MAX_CONFIG_FILE_BYTES + 1 ? ` (${bytes} bytes)` : ''}`;
}

function systemMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.message === 'string') return e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return String(error);
}

/** A `.json` file as strict JSON, anything else as YAML; throws UnreadableFile with line and column. */
export function parseConfigText(source: string, file: string): unknown {
  return /\.json$/i.test(file) ? parseStrictJson(source) : parseYaml(source);
}

/**
 * YAML 1.2 (core schema) with unique keys. Refused, with line and column:
 * syntax errors (the whole message and its excerpt), tags the core schema does
 * not know (`!foo`, and `!!binary`, `!!set`, `!!omap`, `!!timestamp` of YAML
 * 1.1), an alias to an anchor not defined before it, an alias inside the
 * anchor it refers to, and aliases that expand more than MAX_YAML_ALIAS_COUNT
 * times.
 */
export function parseYaml(source: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { prettyErrors: true, uniqueKeys: true, resolveKnownTags: false, lineCounter });
  const problems: Problem[] = [...document.errors, ...document.warnings].map((e) => {
    const [first, ...excerpt] = e.message
      .replace(/\n+$/, '')
      .replace(/^Unresolved tag: (?:tag:yaml\.org,2002:)?(\S+)/, (_m, tag: string) =>
        `unknown YAML tag ${tag.startsWith('!') ? tag : `!!${tag}`}: only the tags of YAML 1.2's core schema are read`,
      )
      .split('\n');
    const at = e.linePos ? `(line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '(document)';
    // The first line without its position (the path says it), then the code excerpt with its caret.
    return { path: at, message: [first.replace(/ at line \d+, column \d+:$/, ''), ...excerpt.filter((l) => l !== '')].join('\n') };
  });
  if (problems.length > 0) throw new UnreadableFile(problems);

  // Aliases, in document order: each must refer to an anchor seen before it, and not to one it is inside.
  const anchors = new Map<string, Node>();
  visit(document, {
    Node: (_key, node, ancestors) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        const where = `${fieldPath(ancestors, node) || '(root)'} (line ${lineCounter.linePos(node.range?.[0] ?? 0).line})`;
        if (!target) problems.push({ path: where, message: `alias *${node.source} refers to no anchor &${node.source} defined before it` });
        else if (ancestors.includes(target)) problems.push({ path: where, message: `alias *${node.source} is inside the anchor &${node.source} it refers to, which would make it endless` });
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  if (problems.length > 0) throw new UnreadableFile(problems);
  try {
    return document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    const excessive = /Excessive alias count/.test((error as Error)?.message ?? '');
    throw new UnreadableFile([
      {
        path: '(document)',
        message: excessive
          ? `its aliases expand too much (more than ${MAX_YAML_ALIAS_COUNT} references times aliases per anchor), as an alias bomb does`
          : `cannot be read as YAML: ${(error as Error)?.message ?? String(error)}`,
      },
    ]);
  }
}

/** The field path of a YAML node from its ancestors, such as `pipelines[0].source`. */
function fieldPath(ancestors: readonly unknown[], node: unknown): string {
  let out = '';
  const chain = [...ancestors, node];
  for (let i = 0; i < chain.length - 1; i++) {
    const parent = chain[i];
    const child = chain[i + 1];
    if (isSeq(parent)) out += `[${parent.items.indexOf(child as never)}]`;
    else if (isPair(child) && isMap(parent)) {
      const key = isScalar(child.key) ? String(child.key.value) : '?';
      out += out === '' ? key : `.${key}`;
    }
  }
  return out;
}

/**
 * Strict JSON (RFC 8259 through JSON.parse): trailing commas, single quotes,
 * comments and the like are refused with line and column instead of being
 * read as YAML; duplicate keys are refused too.
 */
export function parseStrictJson(source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    const offset = jsonErrorOffset(message, source);
    const { line, column, excerpt } = locate(source, offset);
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new UnreadableFile([{ path: `(line ${line}, column ${column})`, message: `not strict JSON: ${reason}\n${excerpt}` }]);
  }
  const duplicates = parseDocument(source, { uniqueKeys: true, prettyErrors: true }).errors.filter((e) => e.code === 'DUPLICATE_KEY');
  if (duplicates.length > 0) {
    throw new UnreadableFile(
      duplicates.map((e) => ({ path: `(line ${e.linePos?.[0].line}, column ${e.linePos?.[0].col})`, message: 'a key appears twice in the same object' })),
    );
  }
  return value;
}

function jsonErrorOffset(message: string, source: string): number {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) {
    const lines = source.split('\n');
    return lines.slice(0, Number(lineColumn[1]) - 1).reduce((n, l) => n + l.length + 1, 0) + Number(lineColumn[2]) - 1;
  }
  return source.length;
}

function locate(source: string, offset: number): { line: number; column: number; excerpt: string } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = offset - lineStart + 1;
  const end = source.indexOf('\n', lineStart);
  const text = source.slice(lineStart, end === -1 ? undefined : end).slice(0, 200);
  return { line, column, excerpt: `${text}\n${' '.repeat(Math.min(column - 1, 200))}^` };
}
