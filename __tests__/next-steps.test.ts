import { formatNextSteps, nextSteps } from '../lib/next-steps';
import { run } from '../main';
import { account, baseConfig, connectionSource } from './support/configs';
import { config, exampleConfig } from './support/synth';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

describe('next steps after applying', () => {
  const targets = [{ name: 'staging', account: account('300000000001'), deploy: { kind: 's3' as const } }];
  const withConnection = config({ ...baseConfig(targets), source: connectionSource });

  it('reminds to complete a connection the stacks create: PENDING until the handshake, then the pipeline stack', () => {
    const steps = nextSteps(withConnection);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toContain('connection acme-rel-github (GitHub) is created PENDING by stack rel-base');
    expect(steps[0]).toContain('account 100000000001');
    expect(steps[0]).toContain('https://eu-west-1.console.aws.amazon.com/codesuite/settings/connections?region=eu-west-1');
    expect(steps[0]).toContain('Then apply rel-pipeline');
    expect(steps[0]).toContain('aws codepipeline update-pipeline');
  });

  it('says nothing for an existing connection or another kind of source', () => {
    const existing = config({
      ...baseConfig(targets),
      source: { ...connectionSource, connectionArn: 'arn:aws:codeconnections:eu-west-1:100000000001:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' },
    });
    expect(nextSteps(existing)).toEqual([]);
    expect(formatNextSteps(exampleConfig())).toBe('');
  });

  it('is printed by the synth command', async () => {
    const written: string[] = [];
    const io = { out: (text: string) => void written.push(text), err: () => undefined };
    const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'next-steps-')), 'cdktf.out');
    expect(await run({ PIPELINE_CONFIG: 'config/examples/release-flow.yaml', CDKTF_OUTDIR: outdir }, [], io)).toBe(0);
    expect(written.join('')).toContain('Next steps (by hand, once):');
    expect(written.join('')).toContain('is created PENDING');
  });
});
