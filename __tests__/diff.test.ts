import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { main } from '../bin/diff';
import { validateConfig } from '../lib/config/load';
import { type DiffResult, diffOutputs, readOutput } from '../lib/diff/diff';
import { formatDiff } from '../lib/diff/format';
import { diffResources } from '../lib/diff/resources';
import type { SynthesizedApp } from '../lib/verify/synthesized';
import { exampleConfig, synthesize } from './support/synth';

const EXAMPLE = readFileSync('config/example.yaml', 'utf8');
const work = mkdtempSync(path.join(tmpdir(), 'diff-test-'));

/** The example with one piece of its text replaced, written to a file of its own. */
function variant(name: string, from: string, to: string): { file: string; text: string } {
  if (!EXAMPLE.includes(from)) throw new Error(`the example no longer contains: ${from}`);
  const text = EXAMPLE.replace(from, to);
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(file, text);
  return { file, text };
}

const STAGING_GRANT = `              - actions: [dynamodb:CreateTable, dynamodb:DescribeTable, dynamodb:UpdateTable]
                resources: ["arn:aws:dynamodb:ap-northeast-1:333333333333:table/orders"]`;
const WEBAPP_TARGETS = `    targets:
      - name: staging
        account: staging
        deploy:
          kind: s3`;
const PRODUCTION_ACCOUNT = `    - { name: production, id: "444444444444", role: arn:aws:iam::444444444444:role/terraform }`;

const widened = variant('widened', STAGING_GRANT, STAGING_GRANT.replace('UpdateTable]', 'UpdateTable, dynamodb:DeleteTable]'));
const renamed = variant('renamed', WEBAPP_TARGETS, WEBAPP_TARGETS.replace('name: staging', 'name: stage'));
const added = (() => {
  const withAccount = EXAMPLE.replace(
    PRODUCTION_ACCOUNT,
    `${PRODUCTION_ACCOUNT}\n    - { name: qa, id: "555555555555", role: arn:aws:iam::555555555555:role/terraform }`,
  );
  const text = withAccount.replace(
    WEBAPP_TARGETS,
    `    targets:\n      - name: qa\n        account: qa\n        deploy:\n          kind: s3\n          prefix: release/\n${WEBAPP_TARGETS.replace('    targets:\n', '')}`,
  );
  const file = path.join(work, 'added.yaml');
  writeFileSync(file, text);
  return { file, text };
})();

const base = () => synthesize(exampleConfig());
const platformOf = (text: string) => validateConfig(parse(text));

async function diffAgainstExample(v: { file: string; text: string }, withEarlierConfig = false): Promise<DiffResult> {
  const platform = platformOf(v.text);
  const after = synthesize(platform);
  return diffOutputs(readOutput(base().outdir), readOutput(after.outdir), {
    config: v.file,
    against: 'base',
    platform,
    ...(withEarlierConfig ? { againstConfig: { file: 'config/example.yaml', platform: exampleConfig() } } : {}),
  });
}

describe('npm run diff: a configuration change as a plan and as access paths', () => {
  let widening: DiffResult;
  beforeAll(async () => {
    widening = await diffAgainstExample(widened);
  }, 120_000);

  it('widening a CloudFormation execution grant changes one policy document and allows exactly that request', () => {
    expect(widening.stacks.map((s) => [s.stack, s.status])).toEqual([['api-target-staging', 'changed']]);
    const [stack] = widening.stacks;
    const document = stack.resources.find((r) => r.address === 'data.aws_iam_policy_document.cloudformation_execution_role_permissions');
    expect(document?.action).toBe('read');
    expect(document?.attributes).toEqual([{ path: 'statement[0].actions[3]', after: 'dynamodb:DeleteTable' }]);
    // The role policy's own arguments read the same, but its document changed: the plan updates it.
    const policy = stack.resources.find((r) => r.address === 'aws_iam_role_policy.cloudformation_execution_role_policy');
    expect(policy).toMatchObject({ action: 'update', via: ['data.aws_iam_policy_document.cloudformation_execution_role_permissions'] });
    expect(widening.access).toEqual([
      expect.objectContaining({
        change: 'allowed',
        principal: 'acme-api-cfn-staging@333333333333',
        action: 'dynamodb:DeleteTable',
        before: 'ImplicitlyDenied',
        after: 'Allowed',
      }),
    ]);
    expect(widening.access[0].resource).toMatch(/^arn:aws:dynamodb:ap-northeast-1:333333333333:table\/orders/);
    expect(widening.summary).toMatchObject({ create: 0, update: 1, replace: 0, destroy: 0, allowed: 1, denied: 0 });
    expect(widening.changed).toBe(true);
  });

  it('adding a target adds its stacks, updates the shared policies, and allows the new deploy role its paths', async () => {
    const result = await diffAgainstExample(added);
    const byStatus = (status: string) => result.stacks.filter((s) => s.status === status).map((s) => s.stack);
    expect(byStatus('added')).toEqual(['account-qa', 'webapp-target-qa']);
    expect(byStatus('removed')).toEqual([]);
    expect(byStatus('changed')).toEqual(expect.arrayContaining(['webapp-pipeline', 'webapp-base']));
    const target = result.stacks.find((s) => s.stack === 'webapp-target-qa')!;
    expect(target.resources.every((r) => r.action === 'create')).toBe(true);
    expect(target.resources.map((r) => r.address)).toEqual(expect.arrayContaining(['aws_iam_role.deploy_role', 'aws_s3_bucket.deploy_target_bucket']));
    expect(result.summary).toMatchObject({ replace: 0, destroy: 0, denied: 0 });
    expect(result.access).toContainEqual(
      expect.objectContaining({
        change: 'allowed',
        principal: 'acme-webapp-pipeline@111111111111',
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::555555555555:role/acme-webapp-deploy-qa',
        before: 'absent',
      }),
    );
    // Nothing else: every path that changes is one of the new target's (its role, or a role reaching it).
    expect(result.access.filter((a) => !`${a.principal} ${a.resource}`.includes('qa'))).toEqual([]);
  }, 120_000);

  it('renaming a target replaces its stack: every resource destroyed there and created anew, access moves', async () => {
    const result = await diffAgainstExample(renamed, true);
    expect(result.stacks.filter((s) => s.status !== 'changed').map((s) => [s.stack, s.status])).toEqual([
      ['webapp-target-stage', 'added'],
      ['webapp-target-staging', 'removed'],
    ]);
    expect(result.moved).toContainEqual({
      from: 'webapp-target-staging: aws_s3_bucket.deploy_target_bucket',
      to: 'webapp-target-stage: aws_s3_bucket.deploy_target_bucket',
      type: 'aws_s3_bucket',
    });
    const removed = result.stacks.find((s) => s.stack === 'webapp-target-staging')!;
    expect(removed.resources.every((r) => r.replaceReasons.some((reason) => reason.startsWith('address changed')))).toBe(true);
    expect(result.summary.replace).toBe(removed.resources.length);
    const pipeline = result.stacks.find((s) => s.stack === 'webapp-pipeline')!;
    expect(pipeline.resources.find((r) => r.address === 'aws_codepipeline.pipeline')?.attributes).toContainEqual({
      path: 'stage[2].name',
      before: 'Deploy-staging',
      after: 'Deploy-stage',
    });
    const assume = (change: string, role: string) =>
      expect.objectContaining({ change, action: 'sts:AssumeRole', resource: `arn:aws:iam::333333333333:role/${role}` });
    expect(result.access).toContainEqual(assume('allowed', 'acme-webapp-deploy-stage'));
    expect(result.access).toContainEqual(assume('denied', 'acme-webapp-deploy-staging'));
    expect(result.summary.allowed).toBe(result.summary.denied);
  }, 120_000);

  it('prints the same diff as text, Markdown and JSON', () => {
    const json = JSON.parse(formatDiff(widening, 'json'));
    expect(json.summary).toEqual(widening.summary);
    expect(json.access).toEqual(widening.access);

    const text = formatDiff(widening, 'text');
    expect(text).toContain('Stack api-target-staging (changed)');
    expect(text).toMatch(/~ +aws_iam_role_policy\.cloudformation_execution_role_policy +updated in place/);
    expect(text).toContain('statement[0].actions[3]: added "dynamodb:DeleteTable"');
    expect(text).toMatch(/ALLOWED acme-api-cfn-staging@333333333333 +dynamodb:DeleteTable/);

    const markdown = formatDiff(widening, 'markdown');
    expect(markdown).toContain('#### Stack `api-target-staging` (changed)');
    expect(markdown).toContain('| change | principal | action | resource | before | after |');
    expect(markdown).toMatch(/\| \*\*allowed\*\* \| acme-api-cfn-staging@333333333333 \| `dynamodb:DeleteTable` \|/);
    // Every table row has as many cells as its header.
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| `'))) {
      expect(line.replace(/\\\|/g, '').split('|').length).toBe(6);
    }
  });
});

describe('replacements from ForceNew arguments', () => {
  const app = (resource: Record<string, unknown>): SynthesizedApp => ({
    stacks: { s: { resource } },
    applyOrder: { waves: [], dependsOn: {} } as unknown as SynthesizedApp['applyOrder'],
  });
  const role = (body: Record<string, unknown>) => ({ aws_iam_role: { deploy: { assume_role_policy: '{}', ...body } } });

  it('marks a change of a replacing argument as a replacement, and prevent_destroy as stopping the plan', () => {
    const [stack] = diffResources(
      app(role({ name: 'a', description: 'x', lifecycle: { prevent_destroy: true } })),
      app(role({ name: 'b', description: 'x', lifecycle: { prevent_destroy: true } })),
    );
    expect(stack.resources).toEqual([
      expect.objectContaining({ address: 'aws_iam_role.deploy', action: 'replace', replaceReasons: ['name'], protectedFromDestroy: true }),
    ]);
  });

  it('updates in place what the provider updates in place, and ignores cdktf metadata', () => {
    const [stack] = diffResources(
      app(role({ name: 'a', description: 'x', '//': { metadata: { path: 'one' } } })),
      app(role({ name: 'a', description: 'y', '//': { metadata: { path: 'two' } } })),
    );
    expect(stack.resources).toEqual([
      expect.objectContaining({ action: 'update', replaceReasons: [], attributes: [{ path: 'description', before: 'x', after: 'y' }] }),
    ]);
    expect(diffResources(app(role({ '//': { a: 1 } })), app(role({ '//': { a: 2 } })))).toEqual([]);
  });

  it('reads an element inserted into a list as one addition, not as every later element changed', () => {
    const [stack] = diffResources(
      app(role({ managed_policy_arns: ['a', 'b', 'c'], tags: { x: '1' } })),
      app(role({ managed_policy_arns: ['z', 'a', 'c'], tags: { x: '2' } })),
    );
    expect(stack.resources[0].attributes).toEqual([
      { path: 'managed_policy_arns[0]', after: 'z' },
      { path: 'managed_policy_arns[1]', before: 'b' },
      { path: 'tags.x', before: '1', after: '2' },
    ]);
  });
});

describe('the diff command', () => {
  const run = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await main(argv, {}, { out: (t) => void (out += t), err: (t) => void (err += t) });
    return { code, out, err };
  };
  const stat = (dir: string) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .sort()
      .map((f) => [f, statSync(path.join(dir, f)).mtimeMs]);

  it('exits 0 when nothing changed, and leaves the earlier output as it was', async () => {
    const against = base().outdir;
    const before = stat(against);
    const siblings = readdirSync(path.dirname(against));
    const { code, out, err } = await run('--config', 'config/example.yaml', '--against', against);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('No changes');
    expect(stat(against)).toEqual(before);
    expect(readdirSync(path.dirname(against))).toEqual(siblings);
  }, 120_000);

  it('exits 1 with the changes as JSON for tools', async () => {
    const { code, out } = await run('--config', widened.file, '--against', base().outdir, '--format', 'json');
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ changed: true, summary: { allowed: 1, update: 1 } });
  }, 120_000);

  it('exits 2 with one clear line on errors, and the usage for unknown arguments', async () => {
    const unknown = await run('--confg', 'x.yaml');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^diff: Unknown option '--confg'/);
    expect(unknown.err).toContain('Usage: npm run diff');

    const format = await run('--format', 'html');
    expect(format).toMatchObject({ code: 2, out: '' });
    expect(format.err).toMatch(/--format must be one of text, markdown, json/);

    const missing = await run('--config', 'config/example.yaml', '--against', path.join(work, 'nowhere'));
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/cannot read the earlier output .*nowhere.*manifest\.json: it does not exist/);

    const config = await run('--config', path.join(work, 'absent.yaml'), '--against', base().outdir);
    expect(config.code).toBe(2);
    expect(config.err).toMatch(/absent\.yaml/);
    expect(config.err).not.toMatch(/\n\s+at /);
  });

  it('still prints the resource changes when the access paths cannot be compared, and exits 2', async () => {
    // An earlier output the access model refuses: a policy attached to a role no stack creates.
    const against = path.join(work, 'unreadable.out');
    cpSync(base().outdir, against, { recursive: true });
    const file = path.join(against, 'stacks', 'platform', 'cdk.tf.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const provider = (Object.values(json.resource.aws_iam_role)[0] as { provider: string }).provider;
    json.resource.aws_iam_role_policy = {
      ...json.resource.aws_iam_role_policy,
      ghost: { name: 'ghost', role: 'ghost', policy: '{}', provider },
    };
    writeFileSync(file, JSON.stringify(json));
    const { code, out, err } = await run('--config', 'config/example.yaml', '--against', against);
    expect(code).toBe(2);
    expect(out).toMatch(/- +aws_iam_role_policy\.ghost +destroyed/);
    expect(out).toContain('Access paths were NOT compared');
    expect(err.trim().split('\n')).toEqual([expect.stringMatching(/^diff: the access paths could not be compared: .*ghost/)]);
  }, 120_000);

  it('prints its usage for --help and exits 0', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toMatch(/--against <dir>/);
    expect(out).toMatch(/--format <text\|markdown\|json>/);
    expect(existsSync(work)).toBe(true);
  });
});
