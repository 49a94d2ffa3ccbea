import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type App, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { OUTPUT_MARKER_FILE, OutputError, synthesizeAtomically, synthesizeHclAtomically } from '../lib/synth';
import { run } from '../main';

const CHILD = path.join(__dirname, 'support', 'output-child.ts');

/** A one-stack app whose output `value` tells runs apart. */
function app(value: string): (app: App) => void {
  return (a) => {
    const stack = new TerraformStack(a, 'only');
    new LocalBackend(stack, { path: 'only.tfstate' });
    new TerraformOutput(stack, 'value', { value });
  };
}

function valueIn(out: string): string {
  return JSON.parse(readFileSync(path.join(out, 'stacks', 'only', 'cdk.tf.json'), 'utf8')).output.value.value;
}

function scratch(): { dir: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'outdir-'));
  return { dir, out: path.join(dir, 'cdktf.out') };
}

function childEnv(out: string, value: string, stopAt: string, stop: 'kill' | 'wait'): NodeJS.ProcessEnv {
  return { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_SWC: 'true', OUTDIR: out, VALUE: value, STOP_AT: stopAt, STOP: stop };
}

/** Runs a synth in a child process that is killed (SIGKILL) at `step` of the commit; returns its pid. */
function killedAt(out: string, step: string): number {
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register', CHILD], { env: childEnv(out, 'killed', step, 'kill'), encoding: 'utf8' });
  expect({ signal: child.signal, stderr: child.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
  return child.pid!;
}

const failing = (): void => {
  throw new Error('the build fails');
};

describe('the output directory commit survives a kill at every step', () => {
  it('a kill between the two renames leaves only <out>.previous-<pid>; the next run restores it, even a failing one', () => {
    const { dir, out } = scratch();
    synthesizeAtomically(out, app('earlier'));
    const pid = killedAt(out, 'moved-aside');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual([`cdktf.out.lock`, `cdktf.out.previous-${pid}`, `cdktf.out.staging-${pid}`]);

    const notices: string[] = [];
    expect(() => synthesizeAtomically(out, failing, { notice: (l) => notices.push(l) })).toThrow('the build fails');
    expect(valueIn(out)).toBe('earlier');
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
    expect(notices).toEqual([
      `${out}: restored the output of an interrupted synth (process ${pid}) before writing`,
      `${out}: removed cdktf.out.staging-${pid}, left by an interrupted synth (process ${pid})`,
    ]);
  });

  it('a kill before the renames leaves the earlier output as it was; the next run removes the staging leftover', () => {
    const { dir, out } = scratch();
    synthesizeAtomically(out, app('earlier'));
    const pid = killedAt(out, 'synthesized');
    expect(valueIn(out)).toBe('earlier');
    expect(readdirSync(dir)).toContain(`cdktf.out.staging-${pid}`);
    synthesizeAtomically(out, app('next'), { notice: () => undefined });
    expect(valueIn(out)).toBe('next');
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });

  it('a kill after the renames leaves the new output; the next run removes the earlier one', () => {
    const { dir, out } = scratch();
    synthesizeAtomically(out, app('earlier'));
    const pid = killedAt(out, 'moved-in');
    expect(valueIn(out)).toBe('killed');
    expect(readdirSync(dir)).toContain(`cdktf.out.previous-${pid}`);
    expect(() => synthesizeAtomically(out, failing, { notice: () => undefined })).toThrow('the build fails');
    expect(valueIn(out)).toBe('killed');
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });

  it('a kill on a first run (no earlier output) leaves nothing that the next run keeps', () => {
    const { dir, out } = scratch();
    killedAt(out, 'moved-aside');
    expect(existsSync(out)).toBe(false);
    synthesizeAtomically(out, app('next'), { notice: () => undefined });
    expect(valueIn(out)).toBe('next');
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });
});

describe('concurrent runs into one output directory', () => {
  it('refuse the second run while the first writes, with a clear message; the first completes', async () => {
    const { dir, out } = scratch();
    synthesizeAtomically(out, app('earlier'));
    const first = spawn(process.execPath, ['-r', 'ts-node/register', CHILD], { env: childEnv(out, 'first', 'synthesized', 'wait'), stdio: 'ignore' });
    let code: number | null | undefined;
    const exited = new Promise<number | null>((resolve) => first.on('exit', (c) => resolve((code = c))));
    try {
      while (!existsSync(`${out}.ready`) && code === undefined) await new Promise((resolve) => setTimeout(resolve, 25));

      expect(() => synthesizeAtomically(out, app('second'))).toThrow(
        new OutputError(out, `another synth (process ${first.pid}) is writing it; run again when it has finished (if no synth is running, delete ${out}.lock)`),
      );
      expect(valueIn(out)).toBe('earlier');
    } finally {
      writeFileSync(`${out}.go`, '');
    }
    expect(await exited).toBe(0);
    expect(valueIn(out)).toBe('first');
    expect(readdirSync(dir).sort()).toEqual(['cdktf.out', 'cdktf.out.go', 'cdktf.out.ready']);
  }, 60_000);

  it('refuse a second run in the same process too (an async HCL synth in flight)', async () => {
    const { out } = scratch();
    let second: unknown;
    await synthesizeHclAtomically(out, (a) => {
      app('first')(a);
      try {
        synthesizeAtomically(out, app('second'));
      } catch (error) {
        second = error;
      }
    });
    expect(second).toBeInstanceOf(OutputError);
    expect((second as Error).message).toContain(`another synth (process ${process.pid}) is writing it`);
  });

  it('take over the lock of a process that is gone', () => {
    const { dir, out } = scratch();
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(`${out}.lock`, `${gone}\n`);
    synthesizeAtomically(out, app('next'));
    expect(valueIn(out)).toBe('next');
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });
});

describe('an output directory that is not ours', () => {
  it('is refused when it is a regular file, and the file is kept', () => {
    const { out } = scratch();
    writeFileSync(out, 'my notes');
    expect(() => synthesizeAtomically(out, app('x'))).toThrow(
      `output directory ${out}: is a regular file, not a directory; it is left as it is: move it away or choose another output directory`,
    );
    expect(readFileSync(out, 'utf8')).toBe('my notes');
    expect(readdirSync(path.dirname(out))).toEqual(['cdktf.out']);
  });

  it('is refused when it holds files that no synth wrote, and they are kept', () => {
    const { out } = scratch();
    mkdirSync(path.join(out, 'src'), { recursive: true });
    writeFileSync(path.join(out, 'src', 'main.go'), 'package main');
    expect(() => synthesizeAtomically(out, app('x'))).toThrow(`no ${OUTPUT_MARKER_FILE} in it`);
    expect(readFileSync(path.join(out, 'src', 'main.go'), 'utf8')).toBe('package main');
    expect(readdirSync(path.dirname(out))).toEqual(['cdktf.out']);
  });

  it('is used when empty, and marked by every synth', () => {
    const { out } = scratch();
    mkdirSync(out);
    synthesizeAtomically(out, app('x'));
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER_FILE, 'apply-order.json', 'destroy-order.json', 'manifest.json', 'stacks']);
  });

  it('is replaced when it is an earlier output of this project written before the marker existed', () => {
    const { out } = scratch();
    mkdirSync(path.join(out, 'stacks', 'old'), { recursive: true });
    writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version: '0.21.0', stacks: { old: {} } }));
    writeFileSync(path.join(out, 'apply-order.json'), '{}');
    synthesizeAtomically(out, app('x'));
    expect(readdirSync(path.join(out, 'stacks'))).toEqual(['only']);
  });
});

describe('the output directory path', () => {
  it('a trailing slash names the same directory, and no staging directory lands inside the earlier output', () => {
    const { dir, out } = scratch();
    synthesizeAtomically(out, app('earlier'));
    synthesizeAtomically(`${out}/`, app('next'));
    expect(valueIn(out)).toBe('next');
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER_FILE, 'apply-order.json', 'destroy-order.json', 'manifest.json', 'stacks']);
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });

  it.each([['.'], ['./'], ['..'], ['/']])('%s is refused with a message, and nothing is written', (outdir) => {
    const before = readdirSync(process.cwd()).sort();
    expect(() => synthesizeAtomically(outdir, app('x'))).toThrow(OutputError);
    expect(() => synthesizeAtomically(outdir, app('x'))).toThrow(/is (the current directory or one of its parents|the root of the file system); name a directory of its own/);
    expect(readdirSync(process.cwd()).sort()).toEqual(before);
  });

  it('a symbolic link stays a link: the synth writes the directory it points to', () => {
    const { dir, out } = scratch();
    const real = path.join(dir, 'real-out');
    synthesizeAtomically(real, app('earlier'));
    symlinkSync(real, out);
    synthesizeAtomically(out, app('next'));
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readlinkSync(out)).toBe(real);
    expect(valueIn(real)).toBe('next');
    expect(readdirSync(dir).sort()).toEqual(['cdktf.out', 'real-out']);
  });

  it('a symbolic link that leads nowhere is refused', () => {
    const { dir, out } = scratch();
    symlinkSync(path.join(dir, 'missing'), out);
    expect(() => synthesizeAtomically(out, app('x'))).toThrow(`output directory ${out}: is a symbolic link that leads nowhere (ENOENT)`);
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });
});

describe('file system errors', () => {
  it('a path through a regular file is one line naming the directory', () => {
    const { dir } = scratch();
    writeFileSync(path.join(dir, 'file'), '');
    const out = path.join(dir, 'file', 'out');
    expect(() => synthesizeAtomically(out, app('x'))).toThrow(new OutputError(out, `cannot be written: a part of its path is not a directory (lstat ${out})`));
  });

  it.each([
    ['ENOSPC', 'no space left on the device'],
    ['EROFS', 'the file system is read-only'],
    ['EACCES', 'permission denied'],
  ])('%s while writing is one line, and the earlier output is unchanged', (code, reason) => {
    const { dir, out } = scratch();
    synthesizeAtomically(out, app('earlier'));
    const full = (a: App): void => {
      app('next')(a);
      // What writeFileSync throws when the disk is full or read-only (a root test process cannot provoke them).
      throw Object.assign(new Error(`${code}: simulated, write`), { code, syscall: 'write', path: path.join(out, 'stacks') });
    };
    expect(() => synthesizeAtomically(out, full)).toThrow(new OutputError(out, `cannot be written: ${reason} (write ${path.join(out, 'stacks')})`));
    expect(valueIn(out)).toBe('earlier');
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });

  it('main prints the one line and exits 1, without a stack trace', async () => {
    const { dir, out } = scratch();
    writeFileSync(out, 'my notes');
    const errors: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    try {
      expect(await run({ PIPELINE_CONFIG: 'config/example.yaml', CDKTF_OUTDIR: out })).toBe(1);
    } finally {
      jest.restoreAllMocks();
    }
    expect(errors[0]).toBe(`output directory ${out}: is a regular file, not a directory; it is left as it is: move it away or choose another output directory`);
    expect(readdirSync(dir)).toEqual(['cdktf.out']);
  });
});
