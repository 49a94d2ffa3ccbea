import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig, parseConfig } from '../lib/config/load';
import type { PipelineConfig } from '../lib/config/schema';
import { planWaves } from '../lib/stage-plan';
import { synthesize } from './support/synth';

const DEPLOY_KINDS = ['s3', 'cloudformation', 'ecs', 'ecs-blue-green', 'invoke-pipeline'];
const SOURCE_KINDS = ['codecommit', 'connection', 's3'];

const files = [
  ...readdirSync('config').map((f) => path.join('config', f)),
  ...readdirSync('config/examples').map((f) => path.join('config/examples', f)),
].filter((f) => f.endsWith('.yaml'));
const examples: Record<string, PipelineConfig> = Object.fromEntries(
  files.map((file) => [file, loadConfig({ PIPELINE_CONFIG: file }).config]),
);

describe.each(files)('%s', (file) => {
  it('synthesizes every stack, with a pipeline that has a deploy stage per wave', () => {
    const cfg = examples[file];
    const { stacks } = synthesize(cfg);
    expect(Object.keys(stacks)).toEqual(expect.arrayContaining(['pipeline-base', 'pipeline', ...cfg.targets.map((t) => `target-${t.name}`)]));
    const stages = stacks.pipeline.resource.aws_codepipeline.pipeline.stage.map((s: { name: string }) => s.name);
    expect(stages.filter((s: string) => s.startsWith('Deploy-'))).toHaveLength(planWaves(cfg.targets).length);
  });
});

describe('the examples', () => {
  it('include one with every deploy kind, two waves, an approval and a cross-region target', () => {
    const cfg = examples['config/examples/release-flow.yaml'];
    expect([...new Set(cfg.targets.map((t) => t.deploy.kind))].sort()).toEqual([...DEPLOY_KINDS].sort());
    expect(planWaves(cfg.targets).filter((w) => w.targets.length > 1)).toHaveLength(2);
    expect(cfg.targets.some((t) => t.approval !== false)).toBe(true);
    expect(cfg.targets.some((t) => t.account.region !== cfg.pipeline.account.region)).toBe(true);
  });

  it('use each source kind somewhere', () => {
    expect([...new Set(Object.values(examples).map((c) => c.source.kind))].sort()).toEqual([...SOURCE_KINDS].sort());
  });
});

describe('docs/release-flow.md', () => {
  const blocks = [...readFileSync('docs/release-flow.md', 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const parse = (block: string, i: number) => parseConfig(block, `docs/release-flow.md, YAML block ${i + 1}`);

  it('shows only complete, valid configurations', () => {
    expect(blocks.length).toBeGreaterThan(0);
    blocks.forEach((block, i) => expect(() => parse(block, i)).not.toThrow());
  });

  it('shows every deploy kind and every source kind', () => {
    const configs = blocks.map(parse);
    expect([...new Set(configs.flatMap((c) => c.targets.map((t) => t.deploy.kind)))].sort()).toEqual([...DEPLOY_KINDS].sort());
    expect([...new Set(configs.map((c) => c.source.kind))].sort()).toEqual([...SOURCE_KINDS].sort());
  });
});
