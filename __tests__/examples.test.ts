import { readFileSync } from 'node:fs';
import { parseConfig } from '../lib/config/load';
import { Naming } from '../lib/naming';
import { planWaves } from '../lib/stage-plan';
import { shippedConfigs, synthesize } from './support/synth';

const DEPLOY_KINDS = ['s3', 'cloudformation', 'ecs', 'ecs-blue-green', 'invoke-pipeline', 'lambda'];
const SOURCE_KINDS = ['codecommit', 'connection', 's3'];

const examples = shippedConfigs();
const pipelinesOf = (file: string) => examples[file].pipelines;
const allPipelines = () => Object.values(examples).flatMap((c) => c.pipelines);

describe.each(Object.keys(examples))('%s', (file) => {
  it('synthesizes the foundation and every pipeline\'s stacks, each pipeline with a deploy stage per wave', () => {
    const { stacks } = synthesize(examples[file]);
    expect(Object.keys(stacks)).toContain('platform');
    for (const cfg of pipelinesOf(file)) {
      const naming = new Naming(cfg);
      expect(Object.keys(stacks)).toEqual(expect.arrayContaining(naming.allStacks()));
      const stages = stacks[naming.pipelineStack].resource.aws_codepipeline.pipeline.stage.map((s: { name: string }) => s.name);
      expect(stages.filter((s: string) => s.startsWith('Deploy-'))).toHaveLength(planWaves(cfg.targets).length);
    }
  });
});

describe('the examples', () => {
  it('include one with every deploy kind (with release-safety: Lambda), two waves, an approval and a cross-region target', () => {
    const [cfg] = pipelinesOf('config/examples/release-flow.yaml');
    const [safety] = pipelinesOf('config/examples/release-safety.yaml');
    const kinds = [...cfg.targets, ...safety.targets].map((t) => t.deploy.kind);
    expect([...new Set(kinds)].sort()).toEqual([...DEPLOY_KINDS].sort());
    expect(planWaves(cfg.targets).filter((w) => w.targets.length > 1)).toHaveLength(2);
    expect(cfg.targets.some((t) => t.approval !== false)).toBe(true);
    expect(cfg.targets.some((t) => t.account.region !== cfg.pipeline.account.region)).toBe(true);
  });

  it('use each source kind somewhere', () => {
    expect([...new Set(allPipelines().map((c) => c.source.kind))].sort()).toEqual([...SOURCE_KINDS].sort());
  });

  it('include a platform of two pipelines sharing accounts, as one file and as a directory', () => {
    for (const file of ['config/example.yaml', 'config/examples/platform-dir']) {
      const pipelines = pipelinesOf(file);
      expect(pipelines).toHaveLength(2);
      const accounts = pipelines.map((p) => p.targets.map((t) => t.account.id).sort());
      expect(accounts[0]).toEqual(accounts[1]);
    }
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
    const pipelines = blocks.map(parse).flatMap((c) => c.pipelines);
    expect([...new Set(pipelines.flatMap((c) => c.targets.map((t) => t.deploy.kind)))].sort()).toEqual([...DEPLOY_KINDS].sort());
    expect([...new Set(pipelines.map((c) => c.source.kind))].sort()).toEqual([...SOURCE_KINDS].sort());
  });
});
