import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, parseConfig, validateConfig } from '../lib/config/load';
import { generateConfig, type ConfigInput } from '../lib/config/generate';
import { configJsonSchemaText, SCHEMA_FILES } from '../lib/config/json-schema';
import { upgradeConfig } from '../lib/config/upgrade';
import { problemsOf } from './support/synth';

function clone(input: ConfigInput): any {
  return JSON.parse(JSON.stringify(input));
}

/** The problems of loading a file or directory; fails the test when it loads. */
function loadProblems(file: string): ConfigError {
  try {
    loadConfig({ PIPELINE_CONFIG: file });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('the example configuration', () => {
  it('is what runs without PIPELINE_CONFIG: platform acme with two pipelines sharing its accounts', () => {
    const { file, config } = loadConfig({});
    expect(file).toBe('config/example.yaml');
    expect(config.name).toBe('acme');
    expect(config.pipelines.map((p) => p.name)).toEqual(['webapp', 'api']);
    expect(config.pipelines.map((p) => p.targets.map((t) => `${t.name}@${t.account.id}`))).toEqual([
      ['staging@333333333333', 'production@444444444444'],
      ['staging@333333333333', 'production@444444444444'],
    ]);
  });

  it('is also shipped as a directory, one file per team, that resolves to the same pipelines', () => {
    const file = loadConfig({}).config;
    const directory = loadConfig({ PIPELINE_CONFIG: 'config/examples/platform-dir' }).config;
    const byName = (c: typeof file) => Object.fromEntries(c.pipelines.map((p) => [p.name, p]));
    expect(byName(directory)).toEqual(byName(file));
    expect({ ...directory, pipelines: [] }).toEqual({ ...file, pipelines: [] });
  });

  it('gets safe defaults for what it leaves out, and resolves accounts by name', () => {
    const platform = validateConfig(generateConfig(1));
    expect(platform.protectStatefulResources).toBe(true);
    expect(platform.backend).toEqual({ type: 'local', directory: 'terraform-state' });
    expect(platform.regions).toEqual(['eu-west-1']);
    const [config] = platform.pipelines;
    expect(config.project).toBe('scale-app');
    expect(config.source).toMatchObject({
      kind: 'codecommit',
      branch: 'main',
      create: true,
      account: { name: 'repos', id: '100000000002', region: 'eu-west-1', role: 'arn:aws:iam::100000000002:role/terraform' },
    });
    expect(config.pipeline.build).toEqual({
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_SMALL',
      buildspec: 'buildspec.yml',
      logRetentionDays: 90,
      // Secrets and parameters belong to one pipeline: the platform's defaults have none.
      secrets: [],
      parameters: [],
    });
    expect(config.targets[0].deploy).toEqual({ kind: 's3', prefix: 'release/' });
    expect(config.targets[0].approval).toBe(false);
    expect(config.targets[0].account).toEqual({ name: 'a1', id: '100000000010', region: 'eu-west-1', role: 'arn:aws:iam::100000000010:role/terraform' });
  });

  it("takes the platform's build defaults, field by field, under a pipeline's own build fields", () => {
    const raw = clone(generateConfig(1));
    raw.platform.defaults = { build: { buildspec: 'ci/buildspec.yml', computeType: 'BUILD_GENERAL1_LARGE' } };
    raw.pipelines[0].build = { computeType: 'BUILD_GENERAL1_MEDIUM' };
    expect(validateConfig(raw).pipelines[0].pipeline.build).toEqual({
      image: 'aws/codebuild/standard:7.0',
      computeType: 'BUILD_GENERAL1_MEDIUM',
      buildspec: 'ci/buildspec.yml',
      logRetentionDays: 90,
      secrets: [],
      parameters: [],
    });
  });

  it('is read from the file PIPELINE_CONFIG names, YAML or JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'config-'));
    writeFileSync(path.join(dir, 'three.json'), JSON.stringify(generateConfig(3)));
    writeFileSync(path.join(dir, 'two.yaml'), stringify(generateConfig(2)));
    expect(loadConfig({ PIPELINE_CONFIG: path.join(dir, 'three.json') }).config.pipelines[0].targets).toHaveLength(3);
    expect(loadConfig({ PIPELINE_CONFIG: path.join(dir, 'two.yaml') }).config.pipelines[0].targets).toHaveLength(2);
  });
});

describe('the single-pipeline format of before the platform', () => {
  const legacy = {
    project: 'webapp',
    pipeline: { account: { id: '111111111111', region: 'eu-west-1', role: 'arn:aws:iam::111111111111:role/terraform' } },
    source: {
      kind: 'codecommit',
      account: { id: '222222222222', region: 'eu-west-1', role: 'arn:aws:iam::222222222222:role/terraform' },
      name: 'webapp',
    },
    targets: [
      {
        name: 'staging',
        account: { id: '333333333333', region: 'us-east-1', role: 'arn:aws:iam::333333333333:role/terraform' },
        deploy: { kind: 's3' },
      },
    ],
  };

  it('is refused with one problem that points at docs/upgrade.md', () => {
    let message = '';
    try {
      validateConfig(legacy, 'old.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^old\.yaml: 1 problem in the configuration:\n {2}- \(root\): this is the single-pipeline format/);
    expect(message).toContain('docs/upgrade.md');
  });

  it('becomes a valid platform with one pipeline through bin/upgrade-config', () => {
    const upgraded = parseConfig(upgradeConfig(stringify(legacy), 'acme'));
    expect(upgraded.accounts.map((a) => a.name)).toEqual(['repos', 'staging']);
    expect(upgraded.regions).toEqual(['eu-west-1', 'us-east-1']);
    const [pipeline] = upgraded.pipelines;
    expect(pipeline.name).toBe('webapp');
    expect(pipeline.targets[0].account).toEqual({ name: 'staging', ...legacy.targets[0].account });
  });
});

describe('a configuration with several mistakes', () => {
  const raw = clone(generateConfig(3));
  raw.platform.tooling.id = '12345';
  raw.pipelines[0].source.region = 'mars-north-1';
  raw.pipelines[0].targets[1].name = 't1';
  raw.platform.accounts[3].role = 'arn:aws:iam::999999999999:role/terraform';
  raw.pipelines[0].targets[2].deploy.bucketName = 'Not_A_Bucket';
  raw.pipelines[0].targets[0].surprise = true;
  raw.pipelines[0].targets[0].account = 'nowhere';
  const problems = problemsOf(raw);

  it('reports every problem in one run, each with its field path and rule', () => {
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'platform.tooling.id', message: 'must be a 12-digit AWS account id, got "12345"' },
        { path: 'pipelines[0].source.region', message: 'unknown AWS region "mars-north-1"' },
        { path: 'pipelines[0].targets[1].name', message: 'duplicate target name "t1" (first used at targets[0].name)' },
        {
          path: 'platform.accounts[3].role',
          message: 'role is in account 999999999999, but platform.accounts[3].id is 100000000012',
        },
        expect.objectContaining({ path: 'pipelines[0].targets[2].deploy.bucketName' }),
        expect.objectContaining({ path: 'pipelines[0].targets[0].surprise', message: expect.stringContaining('unknown field') }),
        {
          path: 'pipelines[0].targets[0].account',
          message: '"nowhere" is not an account of platform.accounts (repos, a1, a2, a3)',
        },
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('puts them all into one error message', () => {
    let message = '';
    try {
      parseConfig(stringify(raw), 'bad.yaml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^bad\.yaml: 7 problems in the configuration:/);
    expect(message).toContain('  - platform.tooling.id: must be a 12-digit AWS account id');
  });
});

describe('a configuration directory', () => {
  function directory(platform: unknown, pipelines: Record<string, unknown>): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'platform-'));
    writeFileSync(path.join(dir, 'platform.yaml'), stringify(platform));
    mkdirSync(path.join(dir, 'pipelines'));
    for (const [file, pipeline] of Object.entries(pipelines)) writeFileSync(path.join(dir, 'pipelines', file), stringify(pipeline));
    return dir;
  }

  it("names each pipeline after its file, and reports every problem with its file and field", () => {
    const generated = clone(generateConfig(2));
    const { name: _name, ...billing } = generated.pipelines[0];
    billing.targets[0].account = 'nope';
    const web = { ...generated.pipelines[0], name: 'website' };
    const dir = directory(
      { platform: { ...generated.platform, regions: ['eu-west-1', 'moon-1'] } },
      { 'billing.yaml': billing, 'web.yaml': web },
    );
    const error = loadProblems(dir);
    expect(error.problems).toEqual(
      expect.arrayContaining([
        { file: 'pipelines/web.yaml', path: 'name', message: 'must be "web", the file\'s name (or be left out)' },
        { file: 'pipelines/billing.yaml', path: 'targets[0].account', message: '"nope" is not an account of platform.accounts (repos, a1, a2)' },
        expect.objectContaining({ file: 'platform.yaml', path: 'platform.regions[1]' }),
      ]),
    );
    const second = error;
    expect(second.message).toContain('  - pipelines/billing.yaml: targets[0].account: "nope" is not an account');
  });

  it('loads when every file is right, pipelines in file name order', () => {
    const generated = clone(generateConfig(1));
    const { name: _name, ...pipeline } = generated.pipelines[0];
    const dir = directory({ platform: generated.platform }, { 'web.yaml': pipeline, 'billing.yaml': pipeline });
    expect(loadConfig({ PIPELINE_CONFIG: dir }).config.pipelines.map((p) => p.name)).toEqual(['billing', 'web']);
    // Its platform.yaml names the directory too.
    expect(loadConfig({ PIPELINE_CONFIG: path.join(dir, 'platform.yaml') }).config.pipelines.map((p) => p.name)).toEqual(['billing', 'web']);
  });

  it('needs the platform file and at least one pipeline file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'platform-'));
    expect(loadProblems(dir).problems.map((p) => p.file)).toEqual(['platform.yaml', 'pipelines']);
  });
});

describe('platform rules', () => {
  it('refuses two pipelines of one name, and stack names that two parts of the platform would share', () => {
    const raw = clone(generateConfig(1));
    raw.pipelines.push({ ...raw.pipelines[0] }, { ...raw.pipelines[0], name: 'account-x' });
    raw.platform.accounts.push({ name: 'x-pipeline', id: '100000000099', role: 'arn:aws:iam::100000000099:role/terraform' });
    expect(problemsOf(raw)).toEqual([
      { path: 'pipelines[1].name', message: 'duplicate pipeline name "app" (first used at pipelines[0].name)' },
      { path: 'pipelines[2].name', message: 'gives the stack name "account-x-pipeline", which platform.accounts[2].name gives too' },
    ]);
  });

  it('refuses EventBridge rule names and Terraform Cloud workspaces that outgrow their limits, naming the field', () => {
    const raw = clone(generateConfig(1));
    raw.platform.name = 'p'.repeat(20);
    raw.pipelines[0].name = 'q'.repeat(24);
    raw.pipelines[0].targets[0].name = 't'.repeat(40);
    raw.platform.backend = { type: 'terraform-cloud', organization: 'acme', workspacePrefix: 'w'.repeat(20) };
    const problems = problemsOf(raw);
    expect(problems).toContainEqual({
      path: 'pipelines[0].name',
      message: expect.stringMatching(/^gives the EventBridge rule name "p{20}-q{24}-forward-source-changes" \(68 characters\); EventBridge allows 64$/),
    });
    expect(problems).toContainEqual({
      path: 'pipelines[0].targets[0].name',
      message: expect.stringMatching(/^gives the Terraform Cloud workspace "w{20}p{20}-q{24}-target-t{40}" \(113 characters\); Terraform Cloud allows 90$/),
    });
  });

  it('refuses targets in regions the platform does not serve', () => {
    const raw = clone(generateConfig(2));
    raw.pipelines[0].targets[1].region = 'us-west-2';
    expect(problemsOf(raw)).toEqual([
      {
        path: 'pipelines[0].targets[1].region',
        message: '"us-west-2" is not a region the platform serves (platform.regions: eu-west-1)',
      },
    ]);
    raw.platform.regions = ['us-west-2'];
    expect(validateConfig(raw).regions).toEqual(['eu-west-1', 'us-west-2']);
  });

  it('asks for account ids to be quoted when YAML read them as numbers', () => {
    const source = readFileSync('config/example.yaml', 'utf8').replace('id: "111111111111"', 'id: 011111111111');
    expect(() => parseConfig(source)).toThrow(/platform\.tooling\.id: must be a quoted string of 12 digits/);
  });

  it('rejects IAM role names longer than 64 characters, naming the field they derive from', () => {
    const raw = clone(generateConfig(1));
    raw.pipelines[0].targets[0].name = 'a'.repeat(60);
    expect(problemsOf(raw)).toContainEqual({
      path: 'pipelines[0].targets[0].name',
      message: expect.stringMatching(/IAM role name "scale-app-deploy-a+" \(77 characters\); IAM allows 64/),
    });
  });

  it('rejects derived S3 bucket names over 63 characters and bucket names that are not lowercase', () => {
    const long = clone(generateConfig(1));
    long.platform.name = 'p'.repeat(20);
    long.pipelines[0].name = 'q'.repeat(24);
    expect(problemsOf(long)).toContainEqual({
      path: 'pipelines[0].name',
      message: expect.stringMatching(/S3 bucket name "p+-artifacts-q+-100000000001-eu-west-1" \(78 characters\); S3 allows 63/),
    });
    const upper = clone(generateConfig(1));
    upper.pipelines[0].targets[0].deploy.bucketName = 'MyBucket';
    expect(problemsOf(upper)).toContainEqual({
      path: 'pipelines[0].targets[0].deploy.bucketName',
      message: 'S3 bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens',
    });
  });

  it("asks a bucket named in the configuration to carry the platform's prefix while access logs are on", () => {
    const raw = clone(generateConfig(1));
    raw.pipelines[0].targets[0].deploy.bucketName = 'site-bucket';
    expect(problemsOf(raw)).toEqual([
      {
        path: 'pipelines[0].targets[0].deploy.bucketName',
        message: 'must start with "scale-": the platform\'s access-log buckets take logs only from buckets named <platform>-*',
      },
    ]);
    raw.platform.monitoring = { accessLogs: { enabled: false } };
    expect(() => validateConfig(raw)).not.toThrow();
  });

  it('rejects two targets deploying to the same bucket', () => {
    const raw = clone(generateConfig(2));
    raw.pipelines[0].targets[0].deploy.bucketName = 'scale-shared-site';
    raw.pipelines[0].targets[1].deploy.bucketName = 'scale-shared-site';
    expect(problemsOf(raw)).toContainEqual({
      path: 'pipelines[0].targets[1].deploy.bucketName',
      message: 'duplicate S3 bucket name "scale-shared-site" (first used at targets[0].deploy.bucketName)',
    });
  });

  it('refuses more stages than CodePipeline allows, naming the limit', () => {
    const oneStagePerTarget = (n: number) => {
      const raw = clone(generateConfig(n));
      raw.pipelines[0].targets.forEach((t: any) => delete t.wave);
      return raw;
    };
    expect(() => validateConfig(oneStagePerTarget(47))).not.toThrow(); // Source + Build + 47 deploy + 1 approval = 50
    expect(problemsOf(oneStagePerTarget(48))).toEqual([
      {
        path: 'pipelines[0].targets',
        message:
          'the pipeline needs 51 stages (Source, Build, 48 deploy and 1 approval stages); ' +
          'CodePipeline allows 50 stages per pipeline: group targets that may deploy together into waves',
      },
    ]);
  });

  it('generates valid configurations in waves of ten, up to 140 targets', () => {
    for (const n of [1, 10, 50, 100, 120, 140]) expect(validateConfig(generateConfig(n)).pipelines[0].targets).toHaveLength(n);
  });

  it('refuses a release whose policies would outgrow IAM or S3 limits, naming the limit', () => {
    expect(problemsOf(generateConfig(200))).toEqual([
      {
        path: 'pipelines[0].targets',
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
    wide.pipelines[0].targets.forEach((t: any) => (t.wave = 'all'));
    expect(problemsOf(wide)).toEqual([
      {
        path: 'pipelines[0].targets',
        message: 'stage Deploy-all needs 51 actions; CodePipeline allows 50 actions per stage: split the wave',
      },
    ]);
    const many = clone(generateConfig(506));
    many.pipelines[0].targets.forEach((t: any, i: number) => (t.wave = `w${Math.floor(i / 46)}`));
    expect(problemsOf(many)).toContainEqual({
      path: 'pipelines[0].targets',
      message: 'the pipeline needs 509 actions; CodePipeline allows 500 actions per pipeline',
    });
  });

  it('refuses a wave whose targets are not listed together, or that shares its name with a lone target', () => {
    const raw = clone(generateConfig(4));
    raw.pipelines[0].targets[0].wave = 'eu';
    raw.pipelines[0].targets[1].wave = 'us';
    raw.pipelines[0].targets[2].wave = 'eu';
    delete raw.pipelines[0].targets[3].wave;
    raw.pipelines[0].targets[3].name = 'us';
    expect(problemsOf(raw)).toEqual([
      {
        path: 'pipelines[0].targets[2].wave',
        message: 'targets of wave "eu" must be listed together: targets[0] and targets[2] are in it, targets[1] between them is not',
      },
      { path: 'pipelines[0].targets[3].name', message: 'is also the name of wave "us" (targets[1].wave): both would need stage Deploy-us' },
    ]);
  });

  it('refuses a CodeCommit repository outside the tooling region; targets may be in any served region', () => {
    const raw = clone(generateConfig(2));
    raw.platform.regions = ['us-east-1', 'us-west-2'];
    raw.pipelines[0].source.region = 'us-east-1';
    raw.pipelines[0].targets[1].region = 'us-west-2';
    expect(problemsOf(raw)).toEqual([
      {
        path: 'pipelines[0].source.region',
        message: "must be the pipeline's region (eu-west-1): CodePipeline runs source actions in its own region",
      },
    ]);
  });

  it('needs at least one target and a known deploy kind', () => {
    const raw = clone(generateConfig(1));
    expect(problemsOf({ ...raw, pipelines: [{ ...raw.pipelines[0], targets: [] }] })).toEqual([
      { path: 'pipelines[0].targets', message: 'at least one target is needed' },
    ]);
    raw.pipelines[0].targets[0].deploy.kind = 'ftp';
    expect(problemsOf(raw)[0].path).toBe('pipelines[0].targets[0].deploy.kind');
  });

  it('reports problems, never crashes, on documents with parts missing or of the wrong type', () => {
    const g = generateConfig(2);
    const p = g.pipelines[0];
    const documents: unknown[] = [
      null,
      [],
      { platform: null, pipelines: 'x' },
      { platform: { name: 'p', tooling: g.platform.tooling }, pipelines: [{ name: 'a', source: { kind: 'codecommit' }, targets: [{}] }] },
      { ...g, pipelines: [{ ...p, source: { kind: 'connection', triggers: 'main' }, approvals: { emails: 'a@b.c' } }] },
      { ...g, pipelines: [{ ...p, source: { kind: 's3', create: 'yes' }, targets: [{ name: 't', wave: 3, account: 7, deploy: { kind: 'ecs' } }] }] },
      { ...g, pipelines: [{ ...p, targets: [{ ...p.targets[0], deploy: { kind: 'cloudformation', parameterOverrides: 7 } }] }] },
      { ...g, platform: { ...g.platform, accounts: 'all' } },
    ];
    for (const document of documents) expect(problemsOf(document).length).toBeGreaterThan(0);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseConfig('platform: a\n  bad: [', 'broken.yaml')).toThrow(/^broken\.yaml: .*\n {2}- \(line \d+, column \d+\)/);
  });

  it('reports an unreadable file', () => {
    expect(() => loadConfig({ PIPELINE_CONFIG: 'config/missing.yaml' })).toThrow(/config\/missing\.yaml: .*cannot read/s);
  });
});

describe('config/*schema.json', () => {
  it.each(SCHEMA_FILES)('%s is generated from the zod schema (run `npm run schema` after changing it)', (file) => {
    expect(readFileSync(`config/${file}`, 'utf8')).toBe(configJsonSchemaText(file));
  });
});
