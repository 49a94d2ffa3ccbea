import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateConfig } from '../lib/config/generate';
import { DEFAULT_CONFIG_FILE, parseConfig } from '../lib/config/load';
import type { PipelineConfig } from '../lib/config/schema';
import { Naming } from '../lib/naming';
import { AccessModel } from '../lib/verify/model';
import { type AccessPath, requiredPaths } from '../lib/verify/paths';
import { renderPolicyDocument } from '../lib/verify/policy-render';
import { actorLabel, formatReport } from '../lib/verify/report';
import { Resolver } from '../lib/verify/resolve';
import { evaluate, type Outcome } from '../lib/verify/simulate';
import type { SynthesizedApp, TerraformJson } from '../lib/verify/synthesized';
import { type Verification, verifyAccess } from '../lib/verify/verify';
import { config, exampleConfig, synthesize } from './support/synth';

/** Every configuration file the project ships: config/*.yaml and config/examples/*.yaml. */
function shippedConfigurations(): Array<[string, PipelineConfig]> {
  const files = ['config', path.join('config', 'examples')]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(dir, f)),
    )
    .sort();
  // The example is the helper's cached configuration object, so its synthesized stacks are shared with the tests below.
  return files.map((file) => [
    file,
    file === DEFAULT_CONFIG_FILE ? exampleConfig() : parseConfig(readFileSync(file, 'utf8'), file),
  ]);
}

const configurations: Array<[string, PipelineConfig]> = [
  ...shippedConfigurations(),
  ['three targets (generated)', config(generateConfig(3))],
  [
    'one target, existing repository, no approval (generated)',
    config({ ...generateConfig(1), repository: { ...generateConfig(1).repository, create: false } }),
  ],
];

describe.each(configurations)('the access proof of %s', (_name, cfg) => {
  let verification: Verification;
  beforeAll(async () => {
    verification = await verifyAccess(synthesize(cfg), cfg);
  });

  it('holds: every required path is allowed, every forbidden one denied, and the inputs are sound', () => {
    expect(verification.problems).toEqual([]);
    expect(verification.outcomes.filter((o) => o.problems.length > 0).map(summary)).toEqual([]);
    expect(verification.ok).toBe(true);
  });

  it("covers each target's deploy role from both sides", () => {
    for (const target of cfg.targets) {
      const deployRole = new Naming(cfg).deployRoleArn(target);
      const allowed = verification.outcomes.filter(
        (o) => o.path.expect === 'Allowed' && o.path.actor.kind === 'role' && o.path.actor.arn === deployRole,
      );
      expect(allowed.map((o) => o.path.action)).toEqual(expect.arrayContaining(['s3:GetObject', 'kms:Decrypt', 's3:PutObject']));
      const assumedByOthers = verification.outcomes.filter(
        (o) => o.path.expect === 'Denied' && o.path.action === 'sts:AssumeRole' && o.path.resource === deployRole,
      );
      expect(assumedByOthers.length).toBeGreaterThan(3);
    }
  });
});

function summary(outcome: Outcome): string {
  return `${actorLabel(outcome.path.actor)} ${outcome.path.action} ${outcome.path.resource}: ${outcome.problems.join('; ')}`;
}

/** The example's synthesized stacks with one change applied to a copy. */
function mutated(change: (stacks: Record<string, TerraformJson>) => void): SynthesizedApp {
  const base = synthesize(exampleConfig());
  const stacks = structuredClone(base.stacks);
  change(stacks);
  return { stacks, applyOrder: base.applyOrder };
}

function document(stacks: Record<string, TerraformJson>, stack: string, name: string): TerraformJson {
  return stacks[stack].data.aws_iam_policy_document[name];
}

function statement(stacks: Record<string, TerraformJson>, stack: string, name: string, sid: string): TerraformJson {
  return document(stacks, stack, name).statement.find((s: TerraformJson) => s.sid === sid);
}

function failing(verification: Verification): Outcome[] {
  return verification.outcomes.filter((o) => o.problems.length > 0);
}

const STAGING_DEPLOYER = 'webapp-deploy-staging@333333333333';
const ARTIFACT_KEY = 'arn:aws:kms:ap-northeast-1:111111111111:alias/webapp-artifacts';
const ARTIFACT_OBJECTS = 'arn:aws:s3:::webapp-artifacts-111111111111-ap-northeast-1/';

describe('a mutated policy flips exactly the paths it should', () => {
  const verifyExample = (app: SynthesizedApp) => verifyAccess(app, exampleConfig());

  it('a removed grant: the deploy role of staging can no longer decrypt artifacts', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const permissions = document(stacks, 'target-staging', 'deploy_role_permissions');
        permissions.statement = permissions.statement.filter((s: TerraformJson) => s.sid !== 'DecryptsArtifacts');
      }),
    );
    expect(verification.ok).toBe(false);
    expect(
      failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource, o.result, o.deciding]),
    ).toEqual([[STAGING_DEPLOYER, 'kms:Decrypt', ARTIFACT_KEY, 'ImplicitlyDenied', 'no Allow in identity policies']]);
  });

  it('a widened trust: without its aws:PrincipalArn pin, other roles of the pipeline account may assume the deploy role', async () => {
    const verification = await verifyExample(
      mutated((stacks) => delete statement(stacks, 'target-production', 'deploy_role_trust', 'TrustExactRole').condition),
    );
    const flipped = failing(verification);
    expect(flipped.map((o) => actorLabel(o.path.actor)).sort()).toEqual([
      'webapp-build@111111111111 (widened to *)',
      'webapp-pipeline-starter@111111111111 (widened to *)',
    ]);
    for (const outcome of flipped) {
      expect(outcome.path).toMatchObject({
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::444444444444:role/webapp-deploy-production',
      });
      expect(outcome.result).toBe('Allowed');
      expect(outcome.problems).toEqual(['must be denied, but is allowed']);
    }
  });

  it('a widened bucket grant: write access for a deploy role lets it (given the identity) overwrite artifacts', async () => {
    const verification = await verifyExample(
      mutated((stacks) =>
        statement(stacks, 'pipeline-base', 'artifact_store_bucket_policy_document', 'DeployStagingReadsArtifacts').actions.push(
          's3:PutObject',
        ),
      ),
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.result])).toEqual([
      [`${STAGING_DEPLOYER} (widened to *)`, 's3:PutObject', 'Allowed'],
    ]);
  });

  it('a removed TLS guard: requests to the artifact bucket without TLS are no longer refused', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const bucketPolicy = document(stacks, 'pipeline-base', 'artifact_store_bucket_policy_document');
        bucketPolicy.statement = bucketPolicy.statement.filter((s: TerraformJson) => s.sid !== 'DenyInsecureTransport');
      }),
    );
    const flipped = failing(verification);
    expect(flipped.length).toBeGreaterThan(5);
    for (const outcome of flipped) {
      expect(outcome.path.context?.['aws:SecureTransport']).toBe('false');
      expect(outcome.path.resource.startsWith(ARTIFACT_OBJECTS)).toBe(true);
    }
  });

  it('a new escalation grant: iam:PassRole on * for the build role', async () => {
    const verification = await verifyExample(
      mutated((stacks) =>
        document(stacks, 'pipeline', 'build_role_permissions').statement.push({
          sid: 'PassesAnyRole',
          effect: 'Allow',
          actions: ['iam:PassRole'],
          resources: ['*'],
        }),
      ),
    );
    const flipped = failing(verification);
    expect(flipped.length).toBeGreaterThan(1);
    for (const outcome of flipped) {
      expect([actorLabel(outcome.path.actor), outcome.path.action, outcome.result]).toEqual([
        'webapp-build@111111111111',
        'iam:PassRole',
        'Allowed',
      ]);
      expect(outcome.deciding).toBe('identity least-privilege#PassesAnyRole');
    }
  });

  it('honours a permissions boundary: one without KMS blocks decrypting, one that allows all changes nothing', async () => {
    const withBoundary = (actions: string[]) =>
      mutated((stacks) => {
        const stack = stacks['target-staging'];
        stack.data.aws_iam_policy_document.boundary = {
          provider: 'aws.staging',
          statement: [{ sid: 'Boundary', effect: 'Allow', actions, resources: ['*'] }],
        };
        stack.resource.aws_iam_policy = {
          boundary: { name: 'webapp-boundary', policy: '${data.aws_iam_policy_document.boundary.json}', provider: 'aws.staging' },
        };
        stack.resource.aws_iam_role.deploy_role.permissions_boundary = '${aws_iam_policy.boundary.arn}';
      });
    const narrow = await verifyExample(withBoundary(['s3:*']));
    expect(failing(narrow).map((o) => [actorLabel(o.path.actor), o.path.action, o.result, o.deciding])).toEqual([
      [STAGING_DEPLOYER, 'kms:Decrypt', 'ImplicitlyDenied', 'no Allow in permissions boundary'],
      [STAGING_DEPLOYER, 'kms:GenerateDataKey', 'ImplicitlyDenied', 'no Allow in permissions boundary'],
    ]);
    const open = await verifyExample(withBoundary(['*']));
    expect(open.ok).toBe(true);
  });
});

describe('the input checks', () => {
  const verifyExample = (app: SynthesizedApp) => verifyAccess(app, exampleConfig());

  it('reject an action that does not exist and an ARN that is not well formed', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const reads = statement(stacks, 'target-staging', 'deploy_role_permissions', 'ReadsArtifacts');
        reads.actions = ['s3:GetObjekt'];
        statement(stacks, 'target-staging', 'deploy_role_permissions', 'LocatesDeployBucket').resources = ['arn:aws:s3::bucket'];
      }),
    );
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      'target-staging: aws_iam_role_policy.deploy_role_policy (least-privilege): statement ReadsArtifacts: action s3:GetObjekt does not exist',
      'target-staging: aws_iam_role_policy.deploy_role_policy (least-privilege): statement LocatesDeployBucket: "arn:aws:s3::bucket" is not a well-formed ARN',
    ]);
  });

  it('refuse a reference they cannot resolve instead of guessing', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        statement(stacks, 'target-staging', 'deploy_role_permissions', 'LocatesDeployBucket').resources = [
          '${aws_s3_bucket.elsewhere.arn}',
        ];
      }),
    );
    expect(verification.problems).toEqual([
      expect.stringContaining('${aws_s3_bucket.elsewhere.arn} refers to a block that does not exist'),
    ]);
  });

  it('refuse a policy document attached to something they do not model', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        stacks['target-staging'].data.aws_iam_policy_document.queue_policy = {
          provider: 'aws.staging',
          statement: [{ sid: 'Queue', effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }],
        };
      }),
    );
    expect(verification.problems).toEqual([expect.stringContaining('target-staging: data.aws_iam_policy_document.queue_policy')]);
  });

  it('require every role a pipeline action runs as to be covered by a required path', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const build = stacks.pipeline.resource.aws_codepipeline.pipeline.stage.find((s: TerraformJson) => s.name === 'Build');
        build.action[0].role_arn = 'arn:aws:iam::222222222222:role/webapp-source-forwarder';
      }),
    );
    expect(verification.problems).toEqual([
      'pipeline action Build/Build runs as arn:aws:iam::222222222222:role/webapp-source-forwarder, which no required path covers (add it to lib/verify/paths.ts)',
    ]);
  });

  it('refuse stacks synthesized from another configuration', async () => {
    const verification = await verifyAccess(synthesize(exampleConfig()), config(generateConfig(1)));
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^account 100000000001 of the configuration has no stack/),
        expect.stringMatching(/^the stacks work in account 111111111111, which the configuration does not name/),
      ]),
    );
  });
});

describe('one request', () => {
  const model = new AccessModel(synthesize(exampleConfig()));
  const upload = requiredPaths(exampleConfig(), new Naming(exampleConfig())).find(
    (p) => p.action === 's3:PutObject' && p.actor.kind === 'role' && p.actor.arn.endsWith(':role/webapp-source'),
  )!;

  it('is allowed with the context the verifier supplies, naming both deciding statements', async () => {
    const outcome = await evaluate(model, upload);
    expect(outcome).toMatchObject({
      result: 'Allowed',
      problems: [],
      deciding: 'identity least-privilege#ReadsWritesArtifacts + bucket policy#SourceReadsWritesArtifacts',
    });
  });

  it('fails when a deciding condition meets a key the request did not carry, unless the path says it is absent on purpose', async () => {
    const withoutHeader: AccessPath = { ...upload, context: {}, expect: 'Denied' };
    expect((await evaluate(model, withoutHeader)).problems).toEqual([
      'statement DenyUploadsWithoutKms was decided by context key s3:x-amz-server-side-encryption, which the request did not carry',
    ]);
    expect((await evaluate(model, { ...withoutHeader, absent: ['s3:x-amz-server-side-encryption'] })).problems).toEqual([]);
  });

  it('fails when the engine ignores a context key that does not apply to the action', async () => {
    const outcome = await evaluate(model, { ...upload, action: 's3:GetObject' });
    expect(outcome.problems).toEqual([
      'the engine ignored context keys that do not apply to s3:GetObject: s3:x-amz-server-side-encryption',
    ]);
  });

  it('fails when a denial must come from a named Deny statement and comes from elsewhere', async () => {
    const outcome = await evaluate(model, {
      ...upload,
      context: { ...upload.context, 'aws:SecureTransport': 'false' },
      expect: 'Denied',
      deniedBySid: 'DenyUploadsWithoutKms',
    });
    expect(outcome.problems).toEqual([
      'must be denied by statement DenyUploadsWithoutKms, but was denied by: Deny in bucket policy#DenyInsecureTransport',
    ]);
  });
});

describe('the report', () => {
  it('is a table of principal, action, resource, expected, result and deciding statement, ending in the verdict', async () => {
    const verification = await verifyAccess(synthesize(exampleConfig()), exampleConfig());
    const lines = formatReport(verification).split('\n');
    expect(lines[0].split('|').map((c) => c.trim())).toEqual([
      '',
      '',
      'principal',
      'action',
      'resource',
      'expected',
      'result',
      'deciding statement',
      '',
    ]);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^\| ok +\| webapp-pipeline@111111111111 +\| sts:AssumeRole +\| arn:aws:iam::222222222222:role\/webapp-source +\| Allowed +\| Allowed +\| identity least-privilege#AssumesActionRoles \+ trust policy#TrustExactRole +\|$/,
      ),
    );
    expect(lines.at(-2)).toBe('Access proof holds.');
  });
});

describe('rendering policy documents', () => {
  const identity = (text: string) => text;
  const parse = (json: string) => JSON.parse(json);

  it('renders statements as IAM JSON: principals by type, "*" alone, conditions by operator and key', () => {
    const policy = renderPolicyDocument(
      {
        statement: [
          {
            sid: 'Trust',
            actions: ['sts:AssumeRole'],
            principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111111111111:root'] }],
            condition: [
              { test: 'ArnEquals', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::111111111111:role/a'] },
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111111111111'] },
            ],
          },
          { sid: 'Deny', effect: 'Deny', actions: ['s3:*'], resources: ['*'], principals: [{ type: '*', identifiers: ['*'] }] },
        ],
      },
      identity,
      parse,
    );
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Trust',
          Effect: 'Allow',
          Action: ['sts:AssumeRole'],
          Principal: { AWS: ['arn:aws:iam::111111111111:root'] },
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/a'] },
            StringEquals: { 'aws:SourceAccount': ['111111111111'] },
          },
        },
        { Sid: 'Deny', Effect: 'Deny', Action: ['s3:*'], Resource: ['*'], Principal: '*' },
      ],
    });
  });

  it('merges source and override documents by Sid as the AWS provider does', () => {
    const doc = (sids: string[], action: string) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: sids.map((Sid) => ({ Sid, Effect: 'Allow', Action: [action], Resource: ['*'] })),
      });
    const policy = renderPolicyDocument(
      {
        source_policy_documents: [doc(['A', 'B'], 's3:GetObject')],
        statement: [{ sid: 'B', actions: ['s3:PutObject'], resources: ['*'] }],
        override_policy_documents: [doc(['A'], 's3:ListBucket')],
      },
      identity,
      parse,
    );
    expect(policy.Statement.map((s) => [s.Sid, s.Action])).toEqual([
      ['A', ['s3:ListBucket']],
      ['B', ['s3:PutObject']],
    ]);
  });

  it('refuses arguments it does not know instead of dropping them', () => {
    expect(() =>
      renderPolicyDocument({ statement: [{ sid: 'X', actions: ['s3:*'], resources: ['*'], weird: true }] }, identity, parse),
    ).toThrow('policy statement argument "weird" is not supported by the verifier');
  });
});

describe('resolving references', () => {
  const app = synthesize(exampleConfig());

  it('gives a KMS key one well-formed placeholder id, the same wherever the key is referenced', () => {
    const model = new AccessModel(app);
    const keyArn = model.keyAliases.get(ARTIFACT_KEY)!;
    expect(keyArn).toMatch(
      /^arn:aws:kms:ap-northeast-1:111111111111:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const decrypts = model
      .role('arn:aws:iam::333333333333:role/webapp-deploy-staging')
      .identity[0].document.Statement.find((s) => s.Sid === 'DecryptsArtifacts');
    expect(decrypts?.Resource).toEqual([keyArn]);
    expect(new AccessModel(app).keyAliases.get(ARTIFACT_KEY)).toBe(keyArn);
  });

  it('resolves remote-state outputs through the producer stack', () => {
    const resolver = new Resolver(app);
    expect(
      resolver.resolve('target-staging', '${data.terraform_remote_state.remote_pipeline_base.outputs.artifact_bucket_arn}/*'),
    ).toBe('arn:aws:s3:::webapp-artifacts-111111111111-ap-northeast-1/*');
    expect(resolver.resolve('pipeline', '${data.terraform_remote_state.remote_repository.outputs.source_role_arn}')).toBe(
      'arn:aws:iam::222222222222:role/webapp-source',
    );
  });

  it('refuses an attribute whose value only AWS knows and the verifier does not model', () => {
    expect(() => new Resolver(app).resolve('target-staging', '${aws_iam_role.deploy_role.unique_id}')).toThrow(
      'the verifier does not know how AWS forms "unique_id" of aws_iam_role (add it to lib/verify/resolve.ts)',
    );
  });
});
