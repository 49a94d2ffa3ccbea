import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import * as path from 'node:path';

/**
 * The file every synth writes at the top of its output directory. A directory
 * without it (and not empty) is not ours, and is never replaced.
 */
export const OUTPUT_MARKER_FILE = '.cdktf-pipeline-output';
const MARKER_TEXT =
  'This directory is written by the cross-account CodePipeline synth and replaced whole on every run.\n' +
  'Keep no files of your own here: they would be deleted by the next synth.\n';

/**
 * What an output directory held before it carried the marker: exactly what
 * this project writes (manifest.json with its stacks, and nothing foreign).
 */
const UNMARKED_EARLIER_OUTPUT = new Set(['manifest.json', 'stacks', 'apply-order.json', 'handoff', 'diagram.md']);

/** The output directory cannot be used or written; one line, no stack trace. */
export class OutputError extends Error {
  constructor(
    readonly outdir: string,
    reason: string,
  ) {
    super(`output directory ${outdir}: ${reason}`);
    this.name = 'OutputError';
  }
}

/** The points of a commit at which tests inject faults (a kill, a full disk). */
export type CommitStep =
  | 'locked' // the lock is held, leftovers recovered, staging not yet created
  | 'staged' // the staging directory exists, with the marker
  | 'synthesized' // everything is written into staging
  | 'moved-aside' // the earlier output is at <out>.previous-<pid>; <out> does not exist
  | 'moved-in'; // the new output is at <out>; the earlier one still at <out>.previous-<pid>

export interface OutputOptions {
  /** Called at each step of the commit; tests use it to kill the process or throw. */
  at?: (step: CommitStep) => void;
  /** Where notices go (an interrupted commit rolled back, leftovers removed); default stderr. */
  notice?: (line: string) => void;
}

/**
 * One run's hold on an output directory: a lock, a staging directory beside
 * the output, and a commit of two renames that a later run can always
 * complete or roll back:
 *
 * - `<out>.lock` names the pid of the run writing `<out>`; a second run into
 *   the same directory is refused while that process lives.
 * - `<out>.staging-<pid>` receives the new output (marker first).
 * - commit: `<out>` → `<out>.previous-<pid>`, staging → `<out>`, then the
 *   previous one → `<out>.discard-<pid>` and removed.
 *
 * A run killed between the two renames leaves no `<out>` but a
 * `<out>.previous-<pid>`: the next run (holding the lock, so no commit is in
 * flight) renames it back. Any other leftover staging, previous or discard
 * directory is removed when it carries the marker (or is empty).
 */
export class OutputDirectory {
  /** The directory written: the real path when `<out>` is a symbolic link, which therefore stays a link. */
  readonly target: string;
  readonly staging: string;
  private readonly lock: string;
  private readonly previous: string;
  private readonly discard: string;
  private readonly at: (step: CommitStep) => void;
  private readonly notice: (line: string) => void;
  private released = false;

  /** Checks `<out>` and takes its lock; throws OutputError. */
  constructor(
    readonly outdir: string,
    options: OutputOptions = {},
  ) {
    this.at = options.at ?? (() => undefined);
    this.notice = options.notice ?? ((line) => console.error(line));
    this.target = checkedTarget(outdir);
    this.staging = `${this.target}.staging-${process.pid}`;
    this.lock = `${this.target}.lock`;
    this.previous = `${this.target}.previous-${process.pid}`;
    this.discard = `${this.target}.discard-${process.pid}`;
    guard(outdir, () => mkdirSync(path.dirname(this.target), { recursive: true }));
    guard(outdir, () => acquireLock(outdir, this.lock));
    try {
      guard(outdir, () => this.recover());
      guard(outdir, () => checkOurs(outdir, this.target));
      this.at('locked');
      guard(outdir, () => {
        mkdirSync(this.staging);
        writeFileSync(path.join(this.staging, OUTPUT_MARKER_FILE), MARKER_TEXT);
      });
      this.at('staged');
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Runs `write` against the staging directory; file system errors become one OutputError line. */
  async write<T>(write: (staging: string) => T | Promise<T>): Promise<T> {
    try {
      return await write(this.staging);
    } catch (error) {
      throw asOutputError(this.outdir, error);
    }
  }

  writeSync<T>(write: (staging: string) => T): T {
    return guard(this.outdir, () => write(this.staging));
  }

  /** Swaps the staging directory into place and releases the lock. */
  commit(): void {
    try {
      this.at('synthesized');
      guard(this.outdir, () => {
        const earlier = exists(this.target);
        if (earlier) renameSync(this.target, this.previous);
        this.at('moved-aside');
        renameSync(this.staging, this.target);
      });
    } catch (error) {
      this.rollBack();
      this.abort();
      throw error;
    }
    // The new output is in place: from here on nothing fails the run; a leftover is removed by the next one.
    try {
      this.at('moved-in');
      if (exists(this.previous)) {
        renameSync(this.previous, this.discard);
        rmSync(this.discard, { recursive: true, force: true });
      }
    } catch (error) {
      this.notice(`${this.outdir}: written; the earlier output is left at ${this.previous} (${(error as Error).message}), the next synth removes it`);
    } finally {
      this.release();
    }
  }

  /** Removes the staging directory and releases the lock; the earlier output is untouched. */
  abort(): void {
    try {
      rmSync(this.staging, { recursive: true, force: true });
    } finally {
      this.release();
    }
  }

  /** After a failed rename: the earlier output back in place if it was moved aside. */
  private rollBack(): void {
    if (!exists(this.target) && exists(this.previous)) renameSync(this.previous, this.target);
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    rmSync(this.lock, { force: true });
  }

  /** Leftovers of interrupted runs; only called with the lock held, so none of them is in flight. */
  private recover(): void {
    const parent = path.dirname(this.target);
    const base = path.basename(this.target);
    const pattern = new RegExp(`^${escapeRegExp(base)}\\.(staging|previous|discard|lock)-(\\d+)$`);
    const leftovers = readdirSync(parent)
      .map((name) => ({ name, match: pattern.exec(name) }))
      .filter((e): e is { name: string; match: RegExpExecArray } => e.match !== null)
      .map((e) => ({ path: path.join(parent, e.name), kind: e.match[1], pid: e.match[2] }));
    if (!exists(this.target)) {
      // Killed between the two renames: the earlier output is the previous one (the newest, should there be several).
      const previous = leftovers
        .filter((l) => l.kind === 'previous' && isOurs(l.path))
        .sort((a, b) => statSync(b.path).mtimeMs - statSync(a.path).mtimeMs)[0];
      if (previous) {
        renameSync(previous.path, this.target);
        this.notice(`${this.outdir}: restored the output of an interrupted synth (process ${previous.pid}) before writing`);
      }
    }
    for (const leftover of leftovers) {
      if (!exists(leftover.path)) continue;
      if (leftover.kind === 'lock') {
        // A run that is taking the lock right now writes its pid here first.
        if (!isAlive(Number(leftover.pid))) rmSync(leftover.path, { force: true });
      } else if (isOurs(leftover.path) || isEmptyDirectory(leftover.path)) {
        rmSync(leftover.path, { recursive: true, force: true });
        this.notice(`${this.outdir}: removed ${path.basename(leftover.path)}, left by an interrupted synth (process ${leftover.pid})`);
      } else {
        this.notice(`${this.outdir}: left ${leftover.path} alone: it does not carry ${OUTPUT_MARKER_FILE}`);
      }
    }
  }
}

/** The directory to write: `<out>` normalised, or the directory a symbolic link `<out>` points to. */
function checkedTarget(outdir: string): string {
  if (outdir.trim() === '') throw new OutputError(JSON.stringify(outdir), 'is empty; name a directory such as cdktf.out');
  if (outdir.includes('\0')) throw new OutputError(JSON.stringify(outdir), 'contains a NUL character');
  const resolved = path.resolve(outdir);
  const cwd = process.cwd();
  if (resolved === path.parse(resolved).root) throw new OutputError(outdir, 'is the root of the file system; name a directory of its own such as cdktf.out');
  if (resolved === cwd || cwd.startsWith(resolved + path.sep)) {
    throw new OutputError(outdir, 'is the current directory or one of its parents; name a directory of its own such as cdktf.out');
  }
  let stat;
  try {
    stat = lstatSync(resolved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolved;
    throw asOutputError(outdir, error);
  }
  if (!stat.isSymbolicLink()) return resolved;
  // A symbolic link stays one: the synth writes the directory it points to.
  let real: string;
  try {
    real = realpathSync(resolved);
  } catch (error) {
    throw new OutputError(outdir, `is a symbolic link that leads nowhere (${(error as NodeJS.ErrnoException).code}); create its target directory or remove the link`);
  }
  if (real === cwd || cwd.startsWith(real + path.sep) || real === path.parse(real).root) {
    throw new OutputError(outdir, `is a symbolic link to ${real}, the current directory or one of its parents`);
  }
  return real;
}

/** `<out>` is absent, empty, ours (marker), or an unmarked earlier output of this project; anything else is refused. */
function checkOurs(outdir: string, target: string): void {
  let stat;
  try {
    stat = lstatSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stat.isDirectory()) {
    throw new OutputError(outdir, `is ${kindOf(stat)}, not a directory; it is left as it is: move it away or choose another output directory`);
  }
  if (readdirSync(target).length === 0 || isOurs(target)) return;
  throw new OutputError(
    outdir,
    `exists and was not written by this synth (no ${OUTPUT_MARKER_FILE} in it); it is left as it is: ` +
      'choose another output directory, or empty it yourself',
  );
}

/** Written by a synth: it carries the marker, or is an earlier output of before the marker. */
function isOurs(dir: string): boolean {
  if (carriesMarker(dir)) return true;
  try {
    return readdirSync(dir).every((e) => UNMARKED_EARLIER_OUTPUT.has(e)) && hasManifest(dir);
  } catch {
    return false;
  }
}

function hasManifest(dir: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    return manifest !== null && typeof manifest === 'object' && typeof manifest.stacks === 'object' && manifest.stacks !== null;
  } catch {
    return false;
  }
}

/**
 * `<out>.lock`, created atomically with our pid in it (written to
 * `<out>.lock-<pid>`, then hard-linked, which fails if the lock exists). A
 * lock whose process is gone is taken over.
 */
function acquireLock(outdir: string, lock: string): void {
  const mine = `${lock}-${process.pid}`;
  const fd = openSync(mine, 'w');
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(mine, lock);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = lockHolder(lock);
      if (holder === undefined) continue; // released meanwhile
      if (attempt > 2 || isAlive(holder)) {
        throw new OutputError(
          outdir,
          `another synth (process ${holder}) is writing it; run again when it has finished ` +
            `(if no synth is running, delete ${lock})`,
        );
      }
      // The holder is gone: move its lock aside (atomic), and put it back if it was not the one we read.
      const stale = `${lock}.stale-${process.pid}`;
      try {
        renameSync(lock, stale);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      if (lockHolder(stale) !== holder) {
        try {
          linkSync(stale, lock);
        } catch {
          // a third run took the lock meanwhile; its own lock stands
        }
      }
      rmSync(stale, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

function lockHolder(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  if (pid === 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function carriesMarker(dir: string): boolean {
  try {
    return lstatSync(path.join(dir, OUTPUT_MARKER_FILE)).isFile();
  } catch {
    return false;
  }
}

function isEmptyDirectory(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function kindOf(stat: Stats): string {
  if (stat.isFile()) return 'a regular file';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a directory';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const REASONS: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ENOTDIR: 'a part of its path is not a directory',
  EISDIR: 'a directory is where a file should be written',
  ENAMETOOLONG: 'a path is too long',
  EMFILE: 'too many open files',
  EXDEV: 'the staging directory and the output are on different file systems',
  ELOOP: 'too many levels of symbolic links',
};

/** A file system error as one line naming the directory; other errors as they are. */
export function asOutputError(outdir: string, error: unknown): unknown {
  if (error instanceof OutputError) return error;
  const e = error as NodeJS.ErrnoException;
  // Duck-typed: errors of node:fs may come from another realm (jest's vm), where instanceof Error fails.
  if (error === null || typeof error !== 'object' || typeof e.code !== 'string' || !/^E[A-Z0-9]+$/.test(e.code) || e.syscall === undefined) return error;
  const where = e.path ? ` (${e.syscall} ${e.path})` : ` (${e.syscall})`;
  return new OutputError(outdir, `cannot be written: ${REASONS[e.code] ?? e.code}${where}`);
}

function guard<T>(outdir: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw asOutputError(outdir, error);
  }
}
