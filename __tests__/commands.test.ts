import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { cost, COST_COMMAND } from '../bin/cost';
import { diagram, DIAGRAM_COMMAND } from '../bin/diagram';
import { DIFF_COMMAND, main as diff } from '../bin/diff';
import { upgrade, UPGRADE_COMMAND } from '../bin/upgrade-config';
import { verify, VERIFY_COMMAND } from '../bin/verify';
import { type CommandSpec, type Io, usage } from '../lib/cli';
import { readOutput } from '../lib/diff/diff';
import { parseConfig } from '../lib/config/load';
import { generateConfig } from '../lib/config/generate';
import { STAMP_FILE } from '../lib/synth-command';
import { formatVerification } from '../lib/verify/output';
import type { Verification } from '../lib/verify/verify';
import { run, SYNTH_COMMAND } from '../main';
import { generatedPipeline } from './support/configs';

// Whole synths, HCL ones with hcl2json, and access proofs: seconds each on a shared machine.
jest.setTimeout(120_000);

/** Standard output and standard error of one command, as text. */
function capture(): Io & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (text) => void out.push(text),
    err: (text) => void err.push(text.endsWith('\n') ? text : `${text}\n`),
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

function workspace(): { dir: string; outdir: string; config: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'commands-'));
  const config = path.join(dir, 'platform.yaml');
  writeFileSync(config, stringify(generateConfig(1)));
  return { dir, outdir: path.join(dir, 'out'), config };
}

type Command = (argv: string[], env: NodeJS.ProcessEnv, io: Io) => Promise<number>;
const commands: Array<[string, CommandSpec, Command]> = [
  ['synth (node dist/main.js)', SYNTH_COMMAND, (argv, env, io) => run(env, argv, io)],
  ['verify', VERIFY_COMMAND, verify],
  ['diagram', DIAGRAM_COMMAND, diagram],
];

describe.each(commands)('the command line of %s', (_name, spec, command) => {
  it('prints its usage, options, environment and examples with --help and -h, and does nothing else (exit 0)', async () => {
    const ws = workspace();
    for (const flag of ['--help', '-h']) {
      const io = capture();
      expect(await command([flag, '--config', ws.config, '--out', ws.outdir], { CDKTF_OUTDIR: ws.outdir }, io)).toBe(0);
      expect(io.stdout()).toBe(usage(spec));
      expect(io.stdout()).toMatch(/^Usage: .+ \[options\]\n/);
      expect(io.stdout()).toContain('--config <file|dir>');
      expect(io.stdout()).toContain('--out <dir>');
      expect(io.stdout()).toContain('\nExamples:\n');
      expect(io.stderr()).toBe('');
    }
    expect(existsSync(ws.outdir)).toBe(false);
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], "Unexpected argument 'extra'"],
    [['--config'], "argument missing"],
    [['--config='], '--config needs a value'],
  ])('refuses %j with the message and the usage on standard error (exit 2), writing nothing', async (argv, message) => {
    const ws = workspace();
    const io = capture();
    expect(await command(argv, { PIPELINE_CONFIG: ws.config, CDKTF_OUTDIR: ws.outdir }, io)).toBe(2);
    expect(io.stderr()).toContain(message);
    expect(io.stderr()).toContain(`Usage: ${spec.command} [options]`);
    expect(io.stdout()).toBe('');
    expect(existsSync(ws.outdir)).toBe(false);
  });

  it('refuses an empty PIPELINE_CONFIG or CDKTF_OUTDIR instead of falling back to the example or cdktf.out (exit 2)', async () => {
    const ws = workspace();
    for (const [env, message] of [
      [{ PIPELINE_CONFIG: '', CDKTF_OUTDIR: ws.outdir }, 'PIPELINE_CONFIG is set but empty'],
      [{ PIPELINE_CONFIG: ws.config, CDKTF_OUTDIR: '' }, 'CDKTF_OUTDIR is set but empty'],
    ] as const) {
      const io = capture();
      expect(await command([], env, io)).toBe(2);
      expect(io.stderr()).toContain(message);
    }
    expect(existsSync(ws.outdir)).toBe(false);
  });
});

// The commands without an output directory of their own: cost, diff and upgrade-config.
const others: Array<[string, CommandSpec, Command, string[]]> = [
  ['cost', COST_COMMAND, cost, ['--config', 'config/example.yaml']],
  ['diff', DIFF_COMMAND, diff, ['--config', 'config/example.yaml', '--against', 'nowhere']],
  ['upgrade-config', UPGRADE_COMMAND, (argv, _env, io) => upgrade(argv, io), ['old.yaml']],
];

describe.each(others)('the command line of %s', (name, spec, command, valid) => {
  it('prints its usage and examples with --help and -h, and does nothing else (exit 0)', async () => {
    for (const flag of ['--help', '-h']) {
      const io = capture();
      // The rest of the line would fail if it ran: a missing earlier output, a missing file.
      expect(await command([...valid, flag], { PIPELINE_CONFIG: '' }, io)).toBe(0);
      expect(io.stdout()).toBe(usage(spec));
      expect(io.stdout()).toMatch(new RegExp(`^Usage: ${spec.command.replace(/[.]/g, '\\.')} \\[options\\]`));
      expect(io.stdout()).toContain(spec.summary.split(' ').slice(0, 3).join(' '));
      expect(io.stdout()).toContain('\nExamples:\n');
      expect(io.stderr()).toBe('');
    }
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['-z'], "Unknown option '-z'"],
  ])('refuses %j with the message and the usage on standard error (exit 2)', async (argv, message) => {
    const io = capture();
    expect(await command([...valid, ...argv], {}, io)).toBe(2);
    expect(io.stderr()).toContain(`${name}: ${message}`);
    expect(io.stderr()).toContain(`Usage: ${spec.command} [options]`);
    expect(io.stdout()).toBe('');
  });
});

describe('cost', () => {
  const table = (stdout: string, file: string) => {
    expect(stdout).toMatch(new RegExp(`^Fixed monthly cost of ${file.replace(/[.\\/]/g, '\\$&')} \\(1 pipelines\\)`));
    expect(stdout).toContain('| foundation (platform, account-*) | ');
    expect(stdout).toMatch(/\| \*\*platform total\*\* \| \| \*\*\$\d+\.\d\d\*\* \|/);
    expect(stdout).toContain('| app as a configuration of its own | ');
  };

  it('prices --config over PIPELINE_CONFIG, then PIPELINE_CONFIG, without a notice', async () => {
    const ws = workspace();
    const io = capture();
    expect(await cost(['--config', ws.config], { PIPELINE_CONFIG: path.join(ws.dir, 'missing.yaml') }, io)).toBe(0);
    table(io.stdout(), ws.config);
    expect(io.stderr()).toBe('');
    const fromEnv = capture();
    expect(await cost([], { PIPELINE_CONFIG: ws.config }, fromEnv)).toBe(0);
    expect(fromEnv.stdout()).toBe(io.stdout());
    expect(fromEnv.stderr()).toBe('');
  });

  it('says in one line that it prices the example when neither --config nor PIPELINE_CONFIG names one', async () => {
    const io = capture();
    expect(await cost([], {}, io)).toBe(0);
    expect(io.stderr()).toBe('No --config and no PIPELINE_CONFIG: using the example, config/example.yaml.\n');
    expect(io.stdout()).toMatch(/^Fixed monthly cost of config\/example\.yaml \(2 pipelines\)/);
  });

  it('refuses an empty PIPELINE_CONFIG (exit 2) and names a refused configuration in one line (exit 1)', async () => {
    const empty = capture();
    expect(await cost([], { PIPELINE_CONFIG: '' }, empty)).toBe(2);
    expect(empty.stderr()).toContain('PIPELINE_CONFIG is set but empty');
    const ws = workspace();
    const missing = capture();
    expect(await cost(['--config', path.join(ws.dir, 'absent.yaml')], {}, missing)).toBe(1);
    expect(missing.stderr()).toContain('absent.yaml');
    expect(missing.stderr()).not.toMatch(/\n\s+at /);
    expect(missing.stdout()).toBe('');
  });
});

describe('diff', () => {
  it('refuses an empty PIPELINE_CONFIG or CDKTF_OUTDIR instead of falling back to the example or cdktf.out (exit 2)', async () => {
    for (const [env, message] of [
      [{ PIPELINE_CONFIG: '' }, 'PIPELINE_CONFIG is set but empty'],
      [{ PIPELINE_CONFIG: 'config/example.yaml', CDKTF_OUTDIR: '' }, 'CDKTF_OUTDIR is set but empty'],
    ] as const) {
      const io = capture();
      expect(await diff([], env, io)).toBe(2);
      expect(io.stderr()).toContain(`diff: ${message}`);
      expect(io.stdout()).toBe('');
    }
  });
});

describe('upgrade-config', () => {
  it('prints the single-pipeline file as a platform, named by the second argument', async () => {
    const ws = workspace();
    const old = path.join(ws.dir, 'old.yaml');
    writeFileSync(old, stringify(generatedPipeline(1)));
    const io = capture();
    expect(await upgrade([old, 'acme'], io)).toBe(0);
    expect(io.stderr()).toBe('');
    const platform = parseConfig(io.stdout(), 'upgraded.yaml');
    expect(platform.name).toBe('acme');
    expect(platform.pipelines.map((p) => p.name)).toEqual([generatedPipeline(1).project]);
  });

  it('refuses a missing or extra argument with the usage (exit 2), and an unreadable file in one line (exit 1)', async () => {
    for (const [argv, message] of [
      [[], '<single-pipeline.yaml> is missing'],
      [['a.yaml', 'acme', 'extra'], "Unexpected argument 'extra'"],
    ] as const) {
      const io = capture();
      expect(await upgrade([...argv], io)).toBe(2);
      expect(io.stderr()).toContain(`upgrade-config: ${message}`);
      expect(io.stderr()).toContain('Usage: node dist/bin/upgrade-config.js [options] <single-pipeline.yaml> [platform name]');
    }
    const io = capture();
    expect(await upgrade(['absent.yaml'], io)).toBe(1);
    expect(io.stderr()).toBe('upgrade-config: cannot read absent.yaml: ENOENT\n');
    expect(io.stdout()).toBe('');
  });
});

describe('synth', () => {
  it('reads --config over PIPELINE_CONFIG, writes to --out, and ends with a summary of stacks, waves and output', async () => {
    const ws = workspace();
    const io = capture();
    expect(await run({ PIPELINE_CONFIG: path.join(ws.dir, 'missing.yaml'), CDKTF_OUTDIR: path.join(ws.dir, 'elsewhere') }, ['--config', ws.config, '--out', ws.outdir], io)).toBe(0);
    const order = JSON.parse(readFileSync(path.join(ws.outdir, 'apply-order.json'), 'utf8'));
    expect(io.stdout()).toBe(
      [
        `Synthesized ${ws.config}: ${order.order.length} stacks in ${order.waves.length} apply waves, as Terraform JSON.`,
        ...order.waves.map((wave: string[], i: number) => `  wave ${i + 1}: ${wave.join(', ')}`),
        `Output: ${ws.outdir}${path.sep} (stacks/, apply-order.json, destroy-order.json).`,
        '',
      ].join('\n'),
    );
    expect(io.stderr()).toBe('');
    expect(existsSync(path.join(ws.dir, 'elsewhere'))).toBe(false);
    expect(readdirSync(path.join(ws.outdir, 'stacks')).sort()).toEqual([...order.order].sort());
  });

  it('writes the destroy order next to the apply order: the waves reversed, with each stack\'s dependents', async () => {
    const ws = workspace();
    expect(await run({}, ['--config', ws.config, '--out', ws.outdir], capture())).toBe(0);
    const apply = JSON.parse(readFileSync(path.join(ws.outdir, 'apply-order.json'), 'utf8'));
    const destroy = JSON.parse(readFileSync(path.join(ws.outdir, 'destroy-order.json'), 'utf8'));
    expect(destroy.waves).toEqual([...apply.waves].reverse());
    expect(destroy.order).toEqual(destroy.waves.flat());
    // Every stack is destroyed before each stack it depends on.
    for (const [stack, dependencies] of Object.entries<string[]>(apply.dependsOn)) {
      for (const dependency of dependencies) {
        expect(destroy.order.indexOf(stack)).toBeLessThan(destroy.order.indexOf(dependency));
        expect(destroy.dependedOnBy[dependency]).toContain(stack);
      }
    }
    expect(destroy.dependedOnBy['app-pipeline']).toEqual([]);
  });

  it('says in one line that it uses the example when neither --config nor PIPELINE_CONFIG names one', async () => {
    const ws = workspace();
    const io = capture();
    expect(await run({}, ['--out', ws.outdir], io)).toBe(0);
    expect(io.stderr()).toBe('No --config and no PIPELINE_CONFIG: using the example, config/example.yaml.\n');
    expect(io.stdout()).toMatch(/^Synthesized config\/example\.yaml: \d+ stacks in 4 apply waves/);
  });

  it('writes HCL, the hand-off and a JSON copy of each stack outside stacks/ with --hcl', async () => {
    const ws = workspace();
    const io = capture();
    expect(await run({}, ['--hcl', '--config', ws.config, '--out', ws.outdir], io)).toBe(0);
    expect(io.stdout()).toContain(', as HCL.');
    expect(io.stdout()).toContain('handoff/ for plain Terraform');
    const stacks = readdirSync(path.join(ws.outdir, 'stacks')).sort();
    for (const stack of stacks) expect(readdirSync(path.join(ws.outdir, 'stacks', stack)).sort()).toEqual(['cdk.tf', 'metadata.json']);
    expect(readdirSync(path.join(ws.outdir, 'json')).sort()).toEqual(stacks.map((s) => `${s}.tf.json`));
    expect(JSON.parse(readFileSync(path.join(ws.outdir, STAMP_FILE), 'utf8'))).toMatchObject({ configuration: ws.config, format: 'hcl' });
  });

  it('keeps the JSON copy of an HCL synth the same as what a JSON synth writes', async () => {
    const ws = workspace();
    const json = path.join(ws.dir, 'json-out');
    expect(await run({}, ['--config', ws.config, '--out', json], capture())).toBe(0);
    expect(await run({}, ['--hcl', '--config', ws.config, '--out', ws.outdir], capture())).toBe(0);
    for (const stack of readdirSync(path.join(json, 'stacks'))) {
      const twin = JSON.parse(readFileSync(path.join(ws.outdir, 'json', `${stack}.tf.json`), 'utf8'));
      expect({ stack, twin }).toEqual({ stack, twin: JSON.parse(readFileSync(path.join(json, 'stacks', stack, 'cdk.tf.json'), 'utf8')) });
    }
    // So the diff and the access proof read an HCL output as they read a JSON one.
    expect(readOutput(ws.outdir)).toEqual(readOutput(json));
  });
});

describe('verify and diagram', () => {
  it('reuse an up-to-date HCL synth and leave it and its hand-off as they are', async () => {
    const ws = workspace();
    expect(await run({}, ['--hcl', '--config', ws.config, '--out', ws.outdir], capture())).toBe(0);
    const handoffReadme = path.join(ws.outdir, 'handoff', 'README.md');
    const before = statSync(handoffReadme).mtimeMs;

    const io = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir], {}, io)).toBe(0);
    expect(io.stderr()).toBe(`Using ${ws.outdir}: an up-to-date HCL synth of ${ws.config}.\n`);
    expect(io.stdout()).toMatch(/\d+ required paths, \d+ forbidden paths: .* 0 failed\.\n\nAccess proof holds\.\n/);
    // The summary and failures by default: no row per path.
    expect(io.stdout()).not.toContain('must allow');

    const drawn = capture();
    expect(await diagram(['--config', ws.config, '--out', ws.outdir], {}, drawn)).toBe(0);
    expect(drawn.stderr()).toBe(`Using ${ws.outdir}: an up-to-date HCL synth of ${ws.config}.\n`);
    expect(drawn.stdout()).toBe(`Drew ${readdirSync(path.join(ws.outdir, 'stacks')).length} stacks of ${ws.config} in 4 apply waves: wrote ${path.join(ws.outdir, 'diagram.md')}.\n`);
    expect(readFileSync(path.join(ws.outdir, 'diagram.md'), 'utf8')).toContain('```mermaid');
    expect(statSync(handoffReadme).mtimeMs).toBe(before);
  });

  it('synthesize again, in the format the output had, when the configuration changed', async () => {
    const ws = workspace();
    expect(await run({}, ['--hcl', '--config', ws.config, '--out', ws.outdir], capture())).toBe(0);
    writeFileSync(ws.config, stringify(generateConfig(2)));
    const io = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir], {}, io)).toBe(0);
    expect(io.stderr()).toContain(`${ws.outdir} is not an up-to-date synth of ${ws.config}; synthesizing it as HCL (as it was).`);
    expect(readdirSync(path.join(ws.outdir, 'handoff'))).toContain('app-target-t2');
    expect(readdirSync(path.join(ws.outdir, 'stacks', 'app-target-t2'))).toContain('cdk.tf');
  });

  it('verify lists every path with --all, and prints JSON and Markdown with --format', async () => {
    const ws = workspace();
    expect(await run({}, ['--config', ws.config, '--out', ws.outdir], capture())).toBe(0);
    const all = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir, '--all'], {}, all)).toBe(0);
    const json = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir, '--format', 'json', '--all'], {}, json)).toBe(0);
    const report = JSON.parse(json.stdout());
    expect(report).toMatchObject({ configuration: ws.config, outdir: ws.outdir, ok: true, problems: [] });
    expect(report.paths).toHaveLength(report.summary.required + report.summary.forbidden);
    expect(all.stdout().match(/^ {4}ok {3}must (allow|deny) /gm)).toHaveLength(report.paths.length);
    const failuresOnly = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir, '-f', 'json'], {}, failuresOnly)).toBe(0);
    expect(JSON.parse(failuresOnly.stdout()).paths).toEqual([]);
    const markdown = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir, '--format', 'markdown', '--all'], {}, markdown)).toBe(0);
    expect(markdown.stdout()).toMatch(/^### Access proof: holds\n/);
    expect(markdown.stdout().split('\n').filter((line) => line.startsWith('| ok |'))).toHaveLength(report.paths.length);
    const bad = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir, '--format', 'yaml'], {}, bad)).toBe(2);
    expect(bad.stderr()).toContain('--format must be one of text, json, markdown, got "yaml"');
  });

  it('verify exits 1 naming each problem when the configuration is refused', async () => {
    const ws = workspace();
    const raw: any = generateConfig(1);
    raw.platform.accounts[0].id = 'abc';
    writeFileSync(ws.config, stringify(raw));
    const io = capture();
    expect(await verify(['--config', ws.config, '--out', ws.outdir], {}, io)).toBe(1);
    expect(io.stderr()).toContain('platform.accounts[0].id: must be a 12-digit AWS account id');
    expect(existsSync(ws.outdir)).toBe(false);
  });
});

describe('the verify report', () => {
  const failing = {
    ok: false,
    problems: [],
    outcomes: [
      {
        path: { claim: 'outsiders | cannot read artifacts', actor: { kind: 'outsider', account: '999999999999' }, action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', expect: 'Denied' },
        result: 'Allowed',
        deciding: 'bucket policy#Everyone',
        problems: ['allowed, must be denied'],
      },
      {
        path: { claim: 'outsiders cannot list the bucket', actor: { kind: 'outsider', account: '999999999999' }, action: 's3:ListBucket', resource: 'arn:aws:s3:::b', expect: 'Denied' },
        result: 'ImplicitlyDenied',
        deciding: '',
        problems: [],
      },
    ],
  } as unknown as Verification;
  const options = { configuration: 'c.yaml', outdir: 'out', all: false } as const;

  it('shows the summary and only the failure by default, with what it breaks', () => {
    const text = formatVerification(failing, { ...options, format: 'text' });
    expect(text).toContain('0 required paths, 2 forbidden paths: 0 allowed as required, 1 denied as required; 1 failed.');
    expect(text).toContain('1 path(s) do not hold:\n  administrator@999999999999 (outside)\n    FAIL must deny  s3:GetObject on arn:aws:s3:::b/k');
    expect(text).toContain('Allowed by bucket policy#Everyone: outsiders | cannot read artifacts');
    expect(text).not.toContain('s3:ListBucket');
    expect(text).toContain('Access proof FAILED.');
  });

  it('escapes table separators in Markdown', () => {
    const markdown = formatVerification(failing, { ...options, all: true, format: 'markdown' });
    expect(markdown).toMatch(/^### Access proof: FAILED\n/);
    expect(markdown).toContain('| ok | `administrator@999999999999 (outside)` | `s3:ListBucket` |');
    const failures = formatVerification(failing, { ...options, format: 'markdown' });
    expect(failures).toContain('| `administrator@999999999999 (outside)` | `s3:GetObject` | `arn:aws:s3:::b/k` | `Denied` | `Allowed` | outsiders \\| cannot read artifacts; allowed, must be denied |');
    expect(failures).not.toContain('s3:ListBucket');
  });
});
