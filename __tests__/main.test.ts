import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { generateConfig } from '../lib/config/generate';
import { run } from '../main';

function workspace(): { dir: string; outdir: string; write(name: string, value: unknown): string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'main-'));
  return {
    dir,
    outdir: path.join(dir, 'cdktf.out'),
    write: (name, value) => {
      const file = path.join(dir, name);
      writeFileSync(file, typeof value === 'string' ? value : stringify(value));
      return file;
    },
  };
}

describe('the main command', () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it('synthesizes every stack and the apply order for the configuration PIPELINE_CONFIG names', async () => {
    const ws = workspace();
    const file = ws.write('three.yaml', generateConfig(3));
    expect(await run({ PIPELINE_CONFIG: file, CDKTF_OUTDIR: ws.outdir })).toBe(0);
    expect(readdirSync(path.join(ws.outdir, 'stacks')).sort()).toEqual([
      'account-a1',
      'account-a2',
      'account-a3',
      'app-base',
      'app-pipeline',
      'app-repository',
      'app-target-t1',
      'app-target-t2',
      'app-target-t3',
      'platform',
    ]);
    expect(JSON.parse(readFileSync(path.join(ws.outdir, 'apply-order.json'), 'utf8')).waves[0]).toContain('platform');
  });

  it('exits non-zero on a bad configuration, lists each problem, and leaves the earlier output untouched', async () => {
    const ws = workspace();
    mkdirSync(path.join(ws.outdir, 'stacks', 'earlier'), { recursive: true });
    writeFileSync(path.join(ws.outdir, 'manifest.json'), 'earlier run');
    const bad: any = generateConfig(2);
    bad.platform.accounts[1].id = 'abc';
    bad.pipelines[0].targets[1].name = 'Prod';
    const file = ws.write('bad.yaml', bad);

    expect(await run({ PIPELINE_CONFIG: file, CDKTF_OUTDIR: ws.outdir })).toBe(1);
    expect(errors[0]).toContain('2 problems in the configuration');
    expect(errors[0]).toContain('platform.accounts[1].id: must be a 12-digit AWS account id, got "abc"');
    expect(errors[0]).toContain('pipelines[0].targets[1].name: must be lowercase letters');
    expect(readFileSync(path.join(ws.outdir, 'manifest.json'), 'utf8')).toBe('earlier run');
    expect(readdirSync(path.join(ws.outdir, 'stacks'))).toEqual(['earlier']);
    expect(readdirSync(ws.dir).sort()).toEqual(['bad.yaml', 'cdktf.out']);
  });

  it('replaces an earlier output whole, so stacks of an older configuration do not linger', async () => {
    const ws = workspace();
    expect(await run({ PIPELINE_CONFIG: ws.write('three.yaml', generateConfig(3)), CDKTF_OUTDIR: ws.outdir })).toBe(0);
    expect(await run({ PIPELINE_CONFIG: ws.write('one.yaml', generateConfig(1)), CDKTF_OUTDIR: ws.outdir })).toBe(0);
    expect(readdirSync(path.join(ws.outdir, 'stacks'))).not.toContain('app-target-t3');
    expect(existsSync(path.join(ws.outdir, 'stacks', 'app-target-t1'))).toBe(true);
    expect(readdirSync(ws.dir).sort()).toEqual(['cdktf.out', 'one.yaml', 'three.yaml']);
  });

  it('synthesizes HCL and the hand-off folder when SYNTH_HCL_OUTPUT is "true", as `cdktf synth --hcl` asks', async () => {
    const ws = workspace();
    const file = ws.write('two.yaml', generateConfig(2));
    expect(await run({ PIPELINE_CONFIG: file, CDKTF_OUTDIR: ws.outdir, SYNTH_HCL_OUTPUT: 'true' })).toBe(0);
    expect(readdirSync(path.join(ws.outdir, 'stacks', 'app-pipeline')).sort()).toEqual(['cdk.tf', 'metadata.json']);
    expect(readFileSync(path.join(ws.outdir, 'stacks', 'app-pipeline', 'cdk.tf'), 'utf8')).toMatch(/^ {2}provider += aws\.tooling$/m);
    expect(readdirSync(path.join(ws.outdir, 'handoff')).sort()).toEqual([
      'README.md',
      'account-a1',
      'account-a2',
      'app-base',
      'app-pipeline',
      'app-repository',
      'app-target-t1',
      'app-target-t2',
      'apply-order.json',
      'destroy-order.json',
      'platform',
    ]);
  });
});
