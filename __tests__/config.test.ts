import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, parseConfig, validateConfig } from '../lib/config/load';
import { generateConfig, type ConfigInput } from '../lib/config/generate';
import { configJsonSchemaText } from '../lib/config/json-schema';
import { problemsOf } from './support/synth';

function clone(input: ConfigInput): any {
  return JSON.parse(JSON.stringify(input));
}

describe('the example configuration', () => {
  it('is what runs without PIPELINE_CONFIG, and it is valid', () => {
    const { file, config } = loadConfig({});
    expect(file).toBe('config/example.yaml');
    expect(config.project).toBe('webapp');
    expect(config.targets.map((t) => t.name)).toEqual(['staging', 'production']);
  });

  it('gets safe defaults for what it leaves out', () => {
    const config = validateConfig(generateConfig(1));
    expect(config.protectStatefulResources).toBe(true);
    expect(config.backend).toEqual({ type: 'local', directory: 'terraform-state' });
    expect(config.source).toMatchObject({ kind: 'codecommit', branch: 'main', create: true });
    expect(config.pipeline.build).toEqual({
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      buildspec: 'buildspec.yml',
      logRetentionDays: 90,
    });
    expect(config.targets[0].deploy).toEqual({ kind: 's3', prefix: 'release/' });
    expect(config.targets[0].approval).toBe(false);
  });

  it('is read from the file PIPELINE_CONFIG names, YAML or JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    writeFileSync(path.join(dir, 'three.json'), JSON.stringify(generateConfig(3)));
    writeFileSync(path.join(dir, 'two.yaml'), stringify(generateConfig(2)));
    expect(loadConfig({ PIPELINE_CONFIG: path.join(dir, 'three.json') }).config.targets).toHaveLength(3);
    expect(loadConfig({ PIPELINE_CONFIG: path.join(dir, 'two.yaml') }).config.targets).toHaveLength(2);
  });
});

describe('a configuration with several mistakes', () => {
  const raw = clone(generateConfig(3));
  raw.pipeline.account.id = '12345';
  raw.source.account.region = 'mars-north-1';
  raw.targets[1].name = 't1';
  raw.targets[2].account.role = 'arn:aws:iam::999999999999:role/terraform';
  raw.targets[2].deploy.bucketName = 'Not_A_Bucket';
  raw.targets[0].surprise = true;
  const problems = problemsOf(raw);

  it('reports every problem in one run, each with its field path and rule', () => {
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'pipeline.account.id', message: 'must be a 12-digit AWS account id, got "12345"' },
        { path: 'source.account.region', message: 'unknown AWS region "mars-north-1"' },
        { path: 'targets[1].name', message: 'duplicate target name "t1" (first used at targets[0].name)' },
        {
          path: 'targets[2].account.role',
          message: 'role is in account 999999999999, but targets[2].account.id is 100000000012',
        },
        expect.objectContaining({ path: 'targets[2].deploy.bucketName' }),
        expect.objectContaining({ path: 'targets[0]', message: expect.stringContaining('surprise') }),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('puts them all into one error message', () => {
    let message = '';
    try {
      parseConfig(stringify(raw), 'bad.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^bad\.yaml: 6 problems in the configuration:/);
    expect(message).toContain('  - pipeline.account.id: must be a 12-digit AWS account id');
  });
});

describe('rules', () => {
  it('asks for account ids to be quoted when YAML read them as numbers', () => {
    const source = readFileSync('config/example.yaml', 'utf8').replace('id: "111111111111"', 'id: 011111111111');
    expect(() => parseConfig(source)).toThrow(/pipeline\.account\.id: must be a quoted string of 12 digits/);
  });

  it('rejects IAM role names longer than 64 characters, naming the field they derive from', () => {
    const raw = clone(generateConfig(1));
    raw.targets[0].name = 'a'.repeat(60);
    expect(problemsOf(raw)).toContainEqual({
      path: 'targets[0].name',
      message: expect.stringMatching(/IAM role name "scale-deploy-a+" \(73 characters\); IAM allows 64/),
    });
  });

  it('rejects derived S3 bucket names over 63 characters and bucket names that are not lowercase', () => {
    const long = clone(generateConfig(1));
    long.project = 'p'.repeat(40);
    expect(problemsOf(long)).toContainEqual({
      path: 'project',
      message: expect.stringMatching(/S3 bucket name "p+-artifacts-100000000001-eu-west-1" \(73 characters\); S3 allows 63/),
    });
    const upper = clone(generateConfig(1));
    upper.targets[0].deploy.bucketName = 'MyBucket';
    expect(problemsOf(upper)).toContainEqual({
      path: 'targets[0].deploy.bucketName',
      message: 'S3 bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens',
    });
  });

  it('rejects two targets deploying to the same bucket', () => {
    const raw = clone(generateConfig(2));
    raw.targets[0].deploy.bucketName = 'shared-site';
    raw.targets[1].deploy.bucketName = 'shared-site';
    expect(problemsOf(raw)).toContainEqual({
      path: 'targets[1].deploy.bucketName',
      message: 'duplicate S3 bucket name "shared-site" (first used at targets[0].deploy.bucketName)',
    });
  });

  it('refuses more stages than CodePipeline allows, naming the limit', () => {
    const oneStagePerTarget = (n: number) => {
      const raw = clone(generateConfig(n));
      raw.targets.forEach((t: any) => delete t.wave);
      return raw;
    };
    expect(() => validateConfig(oneStagePerTarget(47))).not.toThrow(); // Source + Build + 47 deploy + 1 approval = 50
    expect(problemsOf(oneStagePerTarget(48))).toEqual([
      {
        path: 'targets',
        message:
          'the pipeline needs 51 stages (Source, Build, 48 deploy and 1 approval stages); ' +
          'CodePipeline allows 50 stages per pipeline: group targets that may deploy together into waves',
      },
    ]);
  });

  it('generates valid configurations in waves of ten, beyond 120 targets', () => {
    for (const n of [1, 10, 50, 100, 120, 150]) expect(validateConfig(generateConfig(n)).targets).toHaveLength(n);
  });

  it('refuses a release whose policies would outgrow IAM or S3 limits, naming the limit', () => {
    expect(problemsOf(generateConfig(200))).toEqual([
      {
        path: 'targets',
        message: expect.stringMatching(
          /^the pipeline role's policy would be about 1\d{4} characters .*; IAM allows 10240 characters of inline policy per role: split the release/,
        ),
      },
    ]);
    const bucket = problemsOf(generateConfig(260)).find((p) => p.message.includes('bucket policy'));
    expect(bucket?.message).toMatch(/^the artifact bucket policy in eu-west-1 would be about 2\d{4} bytes \(it grants 260 deploy roles\); S3 allows 20480/);
  });

  it('refuses a wave with more actions than a stage holds, and more actions than a pipeline holds', () => {
    const wide = clone(generateConfig(51));
    wide.targets.forEach((t: any) => (t.wave = 'all'));
    expect(problemsOf(wide)).toEqual([
      {
        path: 'targets',
        message: 'stage Deploy-all needs 51 actions; CodePipeline allows 50 actions per stage: split the wave',
      },
    ]);
    const many = clone(generateConfig(506));
    many.targets.forEach((t: any, i: number) => (t.wave = `w${Math.floor(i / 46)}`));
    expect(problemsOf(many)).toContainEqual({
      path: 'targets',
      message: 'the pipeline needs 509 actions; CodePipeline allows 500 actions per pipeline',
    });
  });

  it('refuses a wave whose targets are not listed together, or that shares its name with a lone target', () => {
    const raw = clone(generateConfig(4));
    raw.targets[0].wave = 'eu';
    raw.targets[1].wave = 'us';
    raw.targets[2].wave = 'eu';
    delete raw.targets[3].wave;
    raw.targets[3].name = 'us';
    expect(problemsOf(raw)).toEqual([
      {
        path: 'targets[2].wave',
        message: 'targets of wave "eu" must be listed together: targets[0] and targets[2] are in it, targets[1] between them is not',
      },
      { path: 'targets[3].name', message: 'is also the name of wave "us" (targets[1].wave): both would need stage Deploy-us' },
    ]);
  });

  it('refuses a CodeCommit repository outside the pipeline region; targets may be anywhere', () => {
    const raw = clone(generateConfig(2));
    raw.source.account.region = 'us-east-1';
    raw.targets[1].account.region = 'us-west-2';
    expect(problemsOf(raw)).toEqual([
      {
        path: 'source.account.region',
        message: "must be the pipeline's region (eu-west-1): CodePipeline runs source actions in its own region",
      },
    ]);
  });

  it('needs at least one target and a known deploy kind', () => {
    const raw = clone(generateConfig(1));
    expect(problemsOf({ ...raw, targets: [] })).toEqual([{ path: 'targets', message: 'at least one target is needed' }]);
    raw.targets[0].deploy.kind = 'ftp';
    expect(problemsOf(raw)[0].path).toBe('targets[0].deploy.kind');
  });

  it('reports problems, never crashes, on documents with parts missing or of the wrong type', () => {
    const documents: unknown[] = [
      null,
      [],
      { project: 'p', pipeline: { account: generateConfig(1).pipeline.account }, source: { kind: 'codecommit' }, targets: [{}] },
      { ...generateConfig(2), source: { kind: 'connection', triggers: 'main' }, pipeline: { approvals: { emails: 'a@b.c' } } },
      { ...generateConfig(2), source: { kind: 's3', create: 'yes' }, targets: [{ name: 't', wave: 3, deploy: { kind: 'ecs' } }] },
      { ...generateConfig(1), targets: [{ ...generateConfig(1).targets[0], deploy: { kind: 'cloudformation', parameterOverrides: 7 } }] },
    ];
    for (const document of documents) expect(problemsOf(document).length).toBeGreaterThan(0);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseConfig('project: a\n  bad: [', 'broken.yaml')).toThrow(/^broken\.yaml: .*\n {2}- \(line \d+\)/);
  });

  it('reports an unreadable file', () => {
    expect(() => loadConfig({ PIPELINE_CONFIG: 'config/missing.yaml' })).toThrow(/config\/missing\.yaml: .*cannot read/s);
  });
});

describe('config/schema.json', () => {
  it('is generated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(readFileSync('config/schema.json', 'utf8')).toBe(configJsonSchemaText());
  });
});
