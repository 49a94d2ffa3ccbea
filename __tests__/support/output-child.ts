/**
 * A synth in a process of its own, for the fault tests of the output
 * directory (__tests__/output-directory.test.ts): it writes a one-stack app
 * whose output `value` is VALUE into OUTDIR, and at the commit step STOP_AT
 * either kills itself (STOP=kill, a kill -9 at that instant) or writes
 * OUTDIR.ready and waits for OUTDIR.go to appear (STOP=wait).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { synthesizeAtomically } from '../../lib/synth';

const { OUTDIR, VALUE, STOP_AT, STOP } = process.env;
const pause = new Int32Array(new SharedArrayBuffer(4));

synthesizeAtomically(
  OUTDIR!,
  (app) => {
    const stack = new TerraformStack(app, 'only');
    new LocalBackend(stack, { path: 'only.tfstate' });
    new TerraformOutput(stack, 'value', { value: VALUE });
  },
  {
    at: (step) => {
      if (step !== STOP_AT) return;
      if (STOP === 'kill') process.kill(process.pid, 'SIGKILL');
      writeFileSync(`${OUTDIR}.ready`, String(process.pid));
      while (!existsSync(`${OUTDIR}.go`)) Atomics.wait(pause, 0, 0, 20);
    },
  },
);
