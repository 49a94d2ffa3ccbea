import { generateConfig } from '../lib/config/generate';
import { generatedPipeline } from './support/configs';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load';
import type { PlatformConfig } from '../lib/config/schema';
import { Naming } from '../lib/naming';
import { grantRequests } from '../lib/verify/grants';
import { AccessModel } from '../lib/verify/model';
import { type AccessPath, requiredPaths } from '../lib/verify/paths';
import { renderPolicyDocument } from '../lib/verify/policy-render';
import { actorLabel, formatReport } from '../lib/verify/report';
import { Resolver } from '../lib/verify/resolve';
import { evaluate, type Outcome } from '../lib/verify/simulate';
import type { SynthesizedApp, TerraformJson } from '../lib/verify/synthesized';
import { inventoryOf, type Verification, verifyAccess } from '../lib/verify/verify';
import { account, baseConfig, everyKindTargets } from './support/configs';
import { config, exampleConfig, pipelineOf, shippedConfigs, synthesize } from './support/synth';

// The example is the helper's cached configuration object, so its synthesized stacks are shared with the tests below.
// config/examples/platform-dir is the example split into files: config.test.ts proves it resolves to the same
// pipelines, so its proof would repeat the example's.
const shipped = Object.entries(shippedConfigs())
  .filter(([file]) => file !== 'config/examples/platform-dir')
  .map(([file, cfg]): [string, PlatformConfig] => [file, file === DEFAULT_CONFIG_FILE ? exampleConfig() : cfg]);
const shippedConfig = (file: string) => shipped.find(([f]) => f === file)![1];

const configurations: Array<[string, PlatformConfig]> = [
  ...shipped,
  ['three targets (generated)', config(generateConfig(3))],
  [
    'one target, existing repository, no approval (generated)',
    config({ ...generatedPipeline(1), source: { ...generatedPipeline(1).source, create: false } }),
  ],
  [
    // What no shipped file has: an existing source bucket and key, and no trail, alerts, notifications or access logs.
    'every deploy kind, an existing S3 source, audit and monitoring off (generated)',
    config({
      ...baseConfig(everyKindTargets()),
      source: {
        kind: 's3',
        create: false,
        bucketName: 'existing-releases',
        kmsKeyArn: 'arn:aws:kms:eu-west-1:100000000001:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      },
      audit: { trail: { enabled: false }, alerts: { enabled: false } },
      monitoring: { notifications: { enabled: false }, accessLogs: { enabled: false } },
    }),
  ],
  [
    // What the shipped Terraform Cloud example does not do: read whole remote states, on Terraform Enterprise, through
    // identity providers the accounts already have.
    'Terraform Enterprise with remote-state reads and existing identity providers (generated)',
    config({
      ...generatedPipeline(2),
      backend: {
        type: 'terraform-cloud',
        hostname: 'tfe.example.com',
        organization: 'platform',
        workspacePrefix: 'rel-',
        outputs: 'remote_state',
        bootstrap: { createOidcProvider: false },
      },
    }),
  ],
  [
    'an existing connection and targets in two other regions (generated)',
    config({
      ...baseConfig([
        { name: 'oregon', account: account('300000000001', 'us-west-2'), deploy: { kind: 's3' } },
        {
          name: 'tokyo',
          account: account('300000000002', 'ap-northeast-1'),
          deploy: { kind: 'invoke-pipeline', pipelineName: 'next' },
        },
        { name: 'tokyo-site', account: account('300000000003', 'ap-northeast-1'), deploy: { kind: 's3' } },
      ]),
      source: {
        kind: 'connection',
        provider: 'GitHub',
        repository: 'example-org/orders',
        connectionArn: 'arn:aws:codeconnections:eu-west-1:100000000001:connection/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      },
    }),
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
    for (const target of cfg.pipelines.flatMap((p) => p.targets.map((t) => ({ ...t, naming: new Naming(p) })))) {
      const deployRole = target.naming.deployRoleArn(target);
      const ofRole = (expect: 'Allowed' | 'Denied') =>
        verification.outcomes
          .filter((o) => o.path.expect === expect && o.path.actor.kind === 'role' && o.path.actor.arn === deployRole)
          .map((o) => o.path.action);
      // Every kind but invoke-pipeline reads the build output; an invoke action has no artifacts and gets none.
      const readsArtifacts = target.deploy.kind !== 'invoke-pipeline';
      expect(readsArtifacts ? ofRole('Allowed') : ofRole('Denied')).toEqual(
        expect.arrayContaining(['s3:GetObject', 'kms:Decrypt']),
      );
      expect(ofRole('Allowed').filter((a) => !/^(s3:GetObject|kms:Decrypt|sts:)/.test(a)).length).toBeGreaterThan(0);
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

/** A configuration's synthesized stacks with one change applied to a copy. */
function mutated(change: (stacks: Record<string, TerraformJson>) => void, cfg: PlatformConfig = exampleConfig()): SynthesizedApp {
  const base = synthesize(cfg);
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

function withoutStatement(stacks: Record<string, TerraformJson>, stack: string, name: string, sid: string): void {
  const doc = document(stacks, stack, name);
  const before = doc.statement.length;
  doc.statement = doc.statement.filter((s: TerraformJson) => s.sid !== sid);
  if (doc.statement.length !== before - 1) throw new Error(`${stack}: ${name} has no statement ${sid}`);
}

function failing(verification: Verification): Outcome[] {
  return verification.outcomes.filter((o) => o.problems.length > 0);
}

const STAGING_DEPLOYER = 'acme-webapp-deploy-staging@333333333333';
const PRODUCTION_DEPLOYER = 'acme-webapp-deploy-production@444444444444';
const SOURCE_ROLE = 'acme-webapp-source@222222222222';
const ARTIFACT_KEY = 'arn:aws:kms:ap-northeast-1:111111111111:alias/acme-artifacts';
const ARTIFACT_OBJECTS = 'arn:aws:s3:::acme-artifacts-webapp-111111111111-ap-northeast-1/';

describe('a mutated policy flips exactly the paths it should', () => {
  const verifyExample = (app: SynthesizedApp) => verifyAccess(app, exampleConfig());

  it('a removed grant: the deploy role of staging can no longer decrypt artifacts', async () => {
    const verification = await verifyExample(
      mutated((stacks) => withoutStatement(stacks, 'webapp-target-staging', 'deploy_role_permissions', 'DecryptsArtifacts')),
    );
    expect(verification.ok).toBe(false);
    expect(
      failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource, o.result, o.deciding]),
    ).toEqual([[STAGING_DEPLOYER, 'kms:Decrypt', ARTIFACT_KEY, 'ImplicitlyDenied', 'no Allow in identity policies']]);
  });

  it('a widened trust: without its aws:PrincipalArn pin, other roles of the pipeline account may assume the deploy role', async () => {
    const verification = await verifyExample(
      mutated((stacks) => delete statement(stacks, 'webapp-target-production', 'deploy_role_trust', 'TrustExactRole').condition),
    );
    const flipped = failing(verification);
    // Every role of the tooling account but the pipeline's own, the other pipeline's and the trail's CloudWatch Logs role included.
    expect(flipped.map((o) => actorLabel(o.path.actor)).sort()).toEqual([
      'acme-api-build@111111111111 (widened to *)',
      'acme-api-pipeline-starter@111111111111 (widened to *)',
      'acme-api-pipeline@111111111111 (widened to *)',
      'acme-trail-logs@111111111111 (widened to *)',
      'acme-webapp-build@111111111111 (widened to *)',
      'acme-webapp-pipeline-starter@111111111111 (widened to *)',
    ]);
    for (const outcome of flipped) {
      expect(outcome.path).toMatchObject({
        action: 'sts:AssumeRole',
        resource: 'arn:aws:iam::444444444444:role/acme-webapp-deploy-production',
      });
      expect(outcome.result).toBe('Allowed');
      expect(outcome.problems).toEqual(['must be denied, but is allowed']);
    }
  });

  it('a widened bucket grant: write access for the deploy roles lets them (given the identity) overwrite artifacts', async () => {
    const verification = await verifyExample(
      mutated((stacks) =>
        statement(stacks, 'webapp-base', 'artifact_store_bucket_policy_document', 'DeployReadsArtifacts').actions.push(
          's3:PutObject',
        ),
      ),
    );
    // One statement grants every deploy role of the region: the widening shows for each.
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.result])).toEqual([
      [`${STAGING_DEPLOYER} (widened to *)`, 's3:PutObject', 'Allowed'],
      [`${PRODUCTION_DEPLOYER} (widened to *)`, 's3:PutObject', 'Allowed'],
    ]);
  });

  it('artifacts by prefix: the source role cannot overwrite the build output, a deploy role cannot read the source', async () => {
    const verification = await verifyExample(synthesize(exampleConfig()));
    const row = (claim: string) => verification.outcomes.find((o) => o.path.claim === claim);
    for (const claim of [
      'the source role cannot overwrite the build output',
      'the source role cannot set the ACL of the build output',
      'the deploy role of staging cannot read the source artifact',
      'the deploy role of production cannot read the source artifact',
    ]) {
      expect([claim, row(claim)?.path.expect, row(claim)?.problems]).toEqual([claim, 'Denied', []]);
    }
    // What they need stays allowed: the source role writes and sets the ACL of the source artifact, deploy roles read the build output.
    expect(row('the source role sets the ACL of the source artifact')?.result).toBe('Allowed');
    expect(row('the deploy role of staging reads the build artifact')?.path.resource).toBe(
      `${ARTIFACT_OBJECTS}acme-webapp/build_outp/Ab3dE9x.zip`,
    );
  });

  it('a source role granted the whole bucket (both sides) could overwrite the build output waiting for approval', async () => {
    const widen = (s: TerraformJson) => {
      s.resources = s.resources.map((r: string) => r.replace(/\/acme-webapp\/source_out\/\*$/, '/*'));
    };
    const verification = await verifyExample(
      mutated((stacks) => {
        widen(statement(stacks, 'webapp-repository', 'source_role_permissions', 'ReadsWritesArtifacts'));
        widen(statement(stacks, 'webapp-base', 'artifact_store_bucket_policy_document', 'SourceReadsWritesArtifacts'));
      }),
    );
    // Only the source role gains, and only on the build output.
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.claim, o.result])).toEqual([
      [`${SOURCE_ROLE} (widened to *)`, 'only the named principal may: the pipeline role reads the build artifact', 'Allowed'],
      [
        `${SOURCE_ROLE} (widened to *)`,
        'only the named principal may: the pipeline role writes the build artifact encrypted over TLS',
        'Allowed',
      ],
      [SOURCE_ROLE, 'the source role cannot overwrite the build output', 'Allowed'],
      [SOURCE_ROLE, 'the source role cannot set the ACL of the build output', 'Allowed'],
    ]);
  });

  it('a removed TLS guard: requests to the artifact bucket without TLS are no longer refused', async () => {
    const verification = await verifyExample(
      mutated((stacks) =>
        withoutStatement(stacks, 'webapp-base', 'artifact_store_bucket_policy_document', 'DenyInsecureTransport'),
      ),
    );
    const flipped = failing(verification);
    expect(flipped.length).toBeGreaterThan(5);
    for (const outcome of flipped) {
      expect(outcome.path.context?.['aws:SecureTransport']).toBe('false');
      expect(outcome.path.resource.startsWith(ARTIFACT_OBJECTS)).toBe(true);
    }
  });

  it('a new escalation grant: iam:PassRole on * for the build role', async () => {
    const passesAnyRole = (stacks: Record<string, TerraformJson>) =>
      document(stacks, 'webapp-pipeline', 'build_role_permissions').statement.push({
        sid: 'PassesAnyRole',
        effect: 'Allow',
        actions: ['iam:PassRole'],
        resources: ['*'],
      });
    const passedTo = (verification: Verification) => {
      const flipped = failing(verification);
      for (const outcome of flipped) {
        expect([actorLabel(outcome.path.actor), outcome.path.action, outcome.result]).toEqual([
          'acme-webapp-build@111111111111',
          'iam:PassRole',
          'Allowed',
        ]);
        expect(outcome.deciding).toMatch(/^identity least-privilege#PassesAnyRole \+ boundary acme-webapp-pipeline-boundary#/);
      }
      return [...new Set(flipped.map((o) => o.path.context?.['iam:PassedToService']))].sort();
    };
    // The permissions boundary still lets roles be passed only to the services the pipeline hands roles to: the grant
    // alone flips exactly those paths (each role of the account, to each such service), not the hand-over to CodeDeploy,
    // EC2 or Lambda...
    const grantOnly = await verifyExample(mutated(passesAnyRole));
    // Every role of the tooling account, the other pipeline's included: an escalation is not contained by the pipeline.
    expect([...new Set(failing(grantOnly).map((o) => o.path.resource))].sort()).toEqual([
      'arn:aws:iam::111111111111:role/acme-api-build',
      'arn:aws:iam::111111111111:role/acme-api-pipeline',
      'arn:aws:iam::111111111111:role/acme-api-pipeline-starter',
      'arn:aws:iam::111111111111:role/acme-trail-logs',
      'arn:aws:iam::111111111111:role/acme-webapp-build',
      'arn:aws:iam::111111111111:role/acme-webapp-pipeline',
      'arn:aws:iam::111111111111:role/acme-webapp-pipeline-starter',
      'arn:aws:iam::111111111111:role/terraform',
    ]);
    expect(failing(grantOnly)).toHaveLength(8 * 2);
    expect(passedTo(grantOnly)).toEqual(['cloudformation.amazonaws.com', 'ecs-tasks.amazonaws.com']);
    // ...so proving that the escalation to any service is caught takes widening the boundary as well.
    const withBoundary = await verifyExample(
      mutated((stacks) => {
        passesAnyRole(stacks);
        delete statement(stacks, 'webapp-pipeline', 'permissions_boundary_document', 'AllowPassingRolesToDeployServicesOnly').condition;
      }),
    );
    expect(passedTo(withBoundary)).toEqual([
      'cloudformation.amazonaws.com',
      'codedeploy.amazonaws.com',
      'ec2.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'lambda.amazonaws.com',
    ]);
  });

  it('honours the permissions boundary: one without KMS blocks the KMS paths, one that allows all changes nothing', async () => {
    const withBoundaryActions = (actions: string[]) =>
      mutated((stacks) => {
        statement(stacks, 'webapp-target-staging', 'permissions_boundary_document', 'AllowPipelineServicesAtMost').actions = actions;
      });
    const narrow = await verifyExample(withBoundaryActions(['s3:*', 'sts:AssumeRole']));
    expect(failing(narrow).map((o) => [actorLabel(o.path.actor), o.path.action, o.result, o.deciding])).toEqual([
      [STAGING_DEPLOYER, 'kms:Decrypt', 'ImplicitlyDenied', 'no Allow in permissions boundary'],
      [STAGING_DEPLOYER, 'kms:GenerateDataKey', 'ImplicitlyDenied', 'no Allow in permissions boundary'],
      // S3 decrypts the parts of a multipart upload with the deploy key, as the deploy role.
      [STAGING_DEPLOYER, 'kms:Decrypt', 'ImplicitlyDenied', 'no Allow in permissions boundary'],
    ]);
    const open = await verifyExample(withBoundaryActions(['*']));
    expect(open.ok).toBe(true);
  });
});

/** The rows that prove pipeline A apart from pipeline B (lib/verify/isolation.ts). */
const crossPipeline = (verification: Verification) => verification.outcomes.filter((o) => /^pipeline \S+ cannot /.test(o.path.claim));

describe('pipelines stay apart: every pair of the example, from the roles of one to the resources of the other', () => {
  let verification: Verification;
  beforeAll(async () => {
    verification = await verifyAccess(synthesize(exampleConfig()), exampleConfig());
  });

  it.each([
    ['webapp', 'api'],
    ['api', 'webapp'],
  ])('no role of %s reads, writes or decrypts the artifacts of %s, assumes its roles, starts it or changes its targets', (a, b) => {
    const rows = crossPipeline(verification).filter((o) => o.path.claim.startsWith(`pipeline ${a} `));
    expect(rows.every((o) => o.path.expect === 'Denied' && o.problems.length === 0)).toBe(true);
    // Every role of A, with its own policies (not widened): pipeline, build, starter, source, forwarder, deploy, CloudFormation execution.
    const actors = [...new Set(rows.map((o) => actorLabel(o.path.actor)))].sort();
    const expected = [
      `acme-${a}-build@111111111111`,
      `acme-${a}-deploy-production@444444444444`,
      `acme-${a}-deploy-staging@333333333333`,
      `acme-${a}-pipeline-starter@111111111111`,
      `acme-${a}-pipeline@111111111111`,
      `acme-${a}-source-forwarder@222222222222`,
      `acme-${a}-source@222222222222`,
      ...(a === 'api' ? ['acme-api-cfn-production@444444444444', 'acme-api-cfn-staging@333333333333'] : []),
    ].sort();
    expect(actors).toEqual(expected);
    const bucket = `arn:aws:s3:::acme-artifacts-${b}-111111111111-ap-northeast-1/`;
    for (const actor of actors) {
      const of = rows.filter((o) => actorLabel(o.path.actor) === actor);
      const did = (action: string, resource: (r: string) => boolean) => of.some((o) => o.path.action === action && resource(o.path.resource));
      expect(['s3:GetObject', 's3:PutObject', 's3:DeleteObject'].every((action) => did(action, (r) => r.startsWith(bucket)))).toBe(true);
      expect(did('kms:Decrypt', (r) => r === ARTIFACT_KEY)).toBe(true);
      expect(did('codepipeline:StartPipelineExecution', (r) => r.endsWith(`:acme-${b}`))).toBe(true);
      // Each of B's roles, and at least one request of each of B's targets.
      expect(of.filter((o) => o.path.action === 'sts:AssumeRole').map((o) => o.path.resource)).toEqual(
        expect.arrayContaining([`arn:aws:iam::111111111111:role/acme-${b}-pipeline`, `arn:aws:iam::333333333333:role/acme-${b}-deploy-staging`]),
      );
      for (const target of ['staging', 'production']) {
        expect(of.some((o) => o.path.claim.includes(`${b}'s target ${target}:`))).toBe(true);
      }
    }
  });

  it("a widened identity grant: the webapp build role reading any object reaches the api pipeline's artifacts", async () => {
    const widened = await verifyAccess(
      mutated((stacks) =>
        document(stacks, 'webapp-pipeline', 'build_role_permissions').statement.push({
          sid: 'ReadsAnyObject',
          effect: 'Allow',
          actions: ['s3:GetObject'],
          resources: ['*'],
        }),
      ),
      exampleConfig(),
    );
    expect(widened.ok).toBe(false);
    expect(failing(widened).map((o) => [o.path.claim, actorLabel(o.path.actor), o.path.action, o.path.resource, o.result])).toEqual([
      [
        "pipeline webapp cannot read api's artifacts",
        'acme-webapp-build@111111111111',
        's3:GetObject',
        'arn:aws:s3:::acme-artifacts-api-111111111111-ap-northeast-1/acme-api/source_out/Ab3dE9x.zip',
        'Allowed',
      ],
    ]);
  });

  it("a widened bucket policy: the api artifact bucket admitting every platform role of the tooling account lets webapp's roles in", async () => {
    const widened = await verifyAccess(
      mutated((stacks) =>
        document(stacks, 'api-base', 'artifact_store_bucket_policy_document').statement.push({
          sid: 'PlatformRolesRead',
          effect: 'Allow',
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          actions: ['s3:GetObject'],
          resources: ['arn:aws:s3:::acme-artifacts-api-111111111111-ap-northeast-1/*'],
          condition: [{ test: 'ArnLike', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::111111111111:role/acme-*'] }],
        }),
      ),
      exampleConfig(),
    );
    const flipped = failing(widened).filter((o) => /^pipeline /.test(o.path.claim));
    expect(flipped.map((o) => actorLabel(o.path.actor)).sort()).toEqual([
      'acme-webapp-build@111111111111',
      'acme-webapp-pipeline-starter@111111111111',
      'acme-webapp-pipeline@111111111111',
    ]);
    for (const outcome of flipped) {
      expect([outcome.path.claim, outcome.path.action, outcome.result]).toEqual([
        "pipeline webapp cannot read api's artifacts",
        's3:GetObject',
        'Allowed',
      ]);
    }
  });
});

describe('the new kinds, sources and regions flip the right paths when mutated', () => {
  it("a boundary without its extension silently denies what the configuration grants the CloudFormation execution role", async () => {
    const cfg = shippedConfig('config/examples/codecommit-cloudformation.yaml');
    const staging = pipelineOf(cfg).targets.find((t) => t.name === 'staging')!;
    if (staging.deploy.kind !== 'cloudformation') throw new Error('staging deploys with CloudFormation');
    const granted = staging.deploy.executionRole.statements.flatMap((s) => s.actions).sort();
    // The extension adds dynamodb:* and sqs:* for the statements; without it the boundary allows the pipeline's services.
    const verification = await verifyAccess(
      mutated((stacks) => {
        const allow = statement(stacks, 'billing-target-staging', 'permissions_boundary_document', 'AllowPipelineServicesAtMost');
        const before = allow.actions.length;
        allow.actions = allow.actions.filter((a: string) => !['dynamodb:*', 'sqs:*'].includes(a));
        if (allow.actions.length !== before - 2) throw new Error('the boundary does not extend to dynamodb and sqs');
      }, cfg),
      cfg,
    );
    const flipped = failing(verification);
    expect(flipped.map((o) => o.path.action).sort()).toEqual(granted);
    for (const outcome of flipped) {
      expect([actorLabel(outcome.path.actor), outcome.result, outcome.deciding]).toEqual([
        'finance-billing-cfn-staging@333333333333',
        'ImplicitlyDenied',
        'no Allow in permissions boundary',
      ]);
    }
  });

  it('a boundary without its passRole extension silently denies handing the configured role to its service', async () => {
    const cfg = shippedConfig('config/examples/release-flow.yaml');
    const verification = await verifyAccess(
      mutated((stacks) => {
        const [passedTo] = statement(
          stacks,
          'shop-target-staging-api',
          'permissions_boundary_document',
          'AllowPassingRolesToDeployServicesOnly',
        ).condition;
        passedTo.values = passedTo.values.filter((service: string) => service !== 'lambda.amazonaws.com');
      }, cfg),
      cfg,
    );
    expect(
      failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource, o.path.context, o.deciding]),
    ).toEqual([
      [
        'retail-shop-cfn-staging-api@222222222222',
        'iam:PassRole',
        'arn:aws:iam::222222222222:role/shop-api-function',
        { 'iam:PassedToService': 'lambda.amazonaws.com' },
        'no Allow in permissions boundary',
      ],
    ]);
  });

  it('a CodeDeploy trust without aws:SourceArn lets CodeDeploy assume the role for any deployment group', async () => {
    const cfg = shippedConfig('config/examples/release-flow.yaml');
    const verification = await verifyAccess(
      mutated((stacks) => {
        const trust = statement(stacks, 'shop-target-production-service', 'codedeploy_role_trust', 'TrustServiceForThisAccount');
        trust.condition = trust.condition.filter((c: TerraformJson) => c.variable !== 'aws:SourceArn');
      }, cfg),
      cfg,
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource, o.result])).toEqual([
      [
        'codedeploy.amazonaws.com for deploymentgroup:retail-shop-production-service/retail-shop-production-service-other@333333333333',
        'sts:AssumeRole',
        'arn:aws:iam::333333333333:role/retail-shop-codedeploy-production-service',
        'Allowed',
      ],
    ]);
  });

  it("a regional log bucket without the delivery grant: the pipeline's artifact store of that region can no longer log", async () => {
    const cfg = shippedConfig('config/examples/release-flow.yaml');
    const verification = await verifyAccess(
      mutated(
        (stacks) => withoutStatement(stacks, 'platform', 'access_logs_us_east_1_policy_document', 'S3DeliversAccessLogs'),
        cfg,
      ),
      cfg,
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.resource, o.deciding])).toEqual([
      [
        'logging.s3.amazonaws.com for retail-artifacts-shop-111111111111-us-east-1@111111111111',
        'arn:aws:s3:::retail-access-logs-111111111111-us-east-1/retail-artifacts-shop-111111111111-us-east-1/access.log',
        'no Allow in identity policies; no Allow in bucket policy',
      ],
    ]);
  });

  it("a replica key policy without the served accounts' grant: the target of that region can no longer decrypt its artifacts", async () => {
    const cfg = shippedConfig('config/examples/release-flow.yaml');
    const verification = await verifyAccess(
      mutated((stacks) => withoutStatement(stacks, 'platform', 'artifact_key_us_east_1_policy', 'ServedAccountRolesUseKey'), cfg),
      cfg,
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource, o.deciding])).toEqual([
      [
        'retail-shop-deploy-production-us@444444444444',
        'kms:Decrypt',
        'arn:aws:kms:us-east-1:111111111111:alias/retail-artifacts',
        'no Allow in replica key policy',
      ],
    ]);
  });

  it('a source bucket without DenyUploadsByOthers lets any role of the pipeline account replace the source', async () => {
    const cfg = shippedConfig('config/examples/s3-source-containers.yaml');
    const verification = await verifyAccess(
      mutated((stacks) => withoutStatement(stacks, 'checkout-base', 'source_bucket_policy_document', 'DenyUploadsByOthers'), cfg),
      cfg,
    );
    const flipped = failing(verification);
    expect(flipped.map((o) => actorLabel(o.path.actor)).sort()).toEqual([
      'media-checkout-build@111111111111 (widened to *)',
      'media-checkout-pipeline-starter@111111111111 (widened to *)',
      'media-checkout-pipeline@111111111111 (widened to *)',
      'media-trail-logs@111111111111 (widened to *)',
    ]);
    for (const outcome of flipped) {
      expect(outcome.path).toMatchObject({
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::media-checkout-source-111111111111-ap-northeast-1/releases/checkout.zip',
      });
      expect(outcome.problems).toEqual(['must be denied, but is allowed']);
    }
  });
});

describe('the Terraform Cloud run roles flip the right paths when mutated', () => {
  const cfg = shippedConfig('config/examples/terraform-cloud.yaml');
  const trustOfPipelineAccount = (stacks: Record<string, TerraformJson>) =>
    statement(stacks, 'tfc-bootstrap', 'terraform_cloud_role_111111111111_trust', 'TrustWebIdentitySubjects');

  it("a subject pattern for the whole project lets other accounts' and the pipeline's workspaces into the tooling account's foundation role", async () => {
    const verification = await verifyAccess(
      mutated((stacks) => {
        const subject = trustOfPipelineAccount(stacks).condition.find((c: TerraformJson) => c.variable === 'app.terraform.io:sub');
        Object.assign(subject, { test: 'StringLike', values: ['organization:acme:project:webapp:workspace:*'] });
      }, cfg),
      cfg,
    );
    const flipped = failing(verification);
    expect(flipped.map((o) => o.path.claim).sort()).toEqual([
      'runs of workspace acme-account-production (account 444444444444) cannot assume run role acme-terraform-cloud of account 111111111111',
      'runs of workspace acme-account-staging (account 333333333333) cannot assume run role acme-terraform-cloud of account 111111111111',
      // The pipeline's own workspaces of the same account have a run role of their own.
      'runs of workspace acme-webapp-base (account 111111111111) cannot assume run role acme-terraform-cloud of account 111111111111',
      'runs of workspace acme-webapp-pipeline (account 111111111111) cannot assume run role acme-terraform-cloud of account 111111111111',
      'runs of workspace acme-webapp-repository (account 222222222222) cannot assume run role acme-terraform-cloud of account 111111111111',
      'runs of workspace acme-webapp-target-production (account 444444444444) cannot assume run role acme-terraform-cloud of account 111111111111',
      'runs of workspace acme-webapp-target-staging (account 333333333333) cannot assume run role acme-terraform-cloud of account 111111111111',
    ]);
    for (const outcome of flipped) {
      expect(outcome).toMatchObject({
        result: 'Allowed',
        deciding: 'trust policy#TrustWebIdentitySubjects on token claims app.terraform.io:aud, app.terraform.io:sub',
      });
    }
  });

  it('a trust without the audience condition admits tokens minted for another audience', async () => {
    const verification = await verifyAccess(
      mutated((stacks) => {
        const trust = trustOfPipelineAccount(stacks);
        trust.condition = trust.condition.filter((c: TerraformJson) => c.variable !== 'app.terraform.io:aud');
      }, cfg),
      cfg,
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.result])).toEqual([
      [
        'token of app.terraform.io@111111111111 (aud=sts.amazonaws.com, sub=organization:acme:project:webapp:workspace:acme-platform:run_phase:apply)',
        'Allowed',
      ],
    ]);
  });

  it('a run role that may assume any role is still refused by every trust policy of the topology', async () => {
    const verification = await verifyAccess(
      mutated((stacks) => {
        statement(stacks, 'tfc-bootstrap', 'terraform_cloud_role_111111111111_permissions', 'AssumesTerraformRole').resources = [
          '*',
        ];
      }, cfg),
      cfg,
    );
    expect(failing(verification)).toEqual([]);
  });
});

describe('the input checks', () => {
  const verifyExample = (app: SynthesizedApp) => verifyAccess(app, exampleConfig());

  it('reject an action that does not exist and an ARN that is not well formed', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const reads = statement(stacks, 'webapp-target-staging', 'deploy_role_permissions', 'ReadsArtifacts');
        reads.actions = ['s3:GetObjekt'];
        statement(stacks, 'webapp-target-staging', 'deploy_role_permissions', 'LocatesDeployBucket').resources = ['arn:aws:s3::bucket'];
      }),
    );
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      'webapp-target-staging: aws_iam_role_policy.deploy_role_policy (least-privilege): statement ReadsArtifacts: action s3:GetObjekt does not exist',
      'webapp-target-staging: aws_iam_role_policy.deploy_role_policy (least-privilege): statement LocatesDeployBucket: "arn:aws:s3::bucket" is not a well-formed ARN',
    ]);
  });

  it('refuse a reference they cannot resolve instead of guessing', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        statement(stacks, 'webapp-target-staging', 'deploy_role_permissions', 'LocatesDeployBucket').resources = [
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
        stacks['webapp-target-staging'].data.aws_iam_policy_document.queue_policy = {
          provider: 'aws.staging',
          statement: [{ sid: 'Queue', effect: 'Allow', actions: ['sqs:SendMessage'], resources: ['*'] }],
        };
      }),
    );
    expect(verification.problems).toEqual([expect.stringContaining('webapp-target-staging: data.aws_iam_policy_document.queue_policy')]);
  });

  it('require every role a pipeline action runs as to be covered by a required path', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const build = stacks['webapp-pipeline'].resource.aws_codepipeline.pipeline.stage.find((s: TerraformJson) => s.name === 'Build');
        build.action[0].role_arn = 'arn:aws:iam::222222222222:role/acme-webapp-source-forwarder';
      }),
    );
    expect(verification.problems).toEqual([
      'pipeline action Build/Build runs as arn:aws:iam::222222222222:role/acme-webapp-source-forwarder, which no required path covers (add it to lib/verify/paths.ts)',
    ]);
  });

  it('refuse a configured statement they cannot exercise instead of skipping it', async () => {
    await expect(
      grantRequests(
        [{ sid: 'Queues', actions: ['sqs:SendMessage'], resources: ['arn:aws:dynamodb:eu-west-1:300000000002:table/orders'] }],
        account('300000000002'),
        [],
      ),
    ).rejects.toThrow(
      'statement Queues of the configuration: sqs:SendMessage applies to none of arn:aws:dynamodb:eu-west-1:300000000002:table/orders',
    );
  });

  it('require every role the stacks create to be exercised by a required path', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const roles = stacks['webapp-target-staging'].resource.aws_iam_role;
        roles.spare_role = { ...roles.deploy_role, name: 'acme-webapp-spare' };
      }),
    );
    expect(verification.problems).toEqual([
      'webapp-target-staging: aws_iam_role.spare_role creates role arn:aws:iam::333333333333:role/acme-webapp-spare, which no required path exercises (add it to lib/verify/paths.ts)',
    ]);
  });

  it('require every access log delivery to be proven by a required path', async () => {
    const verification = await verifyExample(
      mutated((stacks) => {
        const logging = stacks['webapp-base'].resource.aws_s3_bucket_logging;
        logging.elsewhere = { ...logging.artifact_store_bucket_access_logs, target_prefix: 'elsewhere/' };
      }),
    );
    expect(verification.problems).toEqual([
      'webapp-base: aws_s3_bucket_logging.elsewhere logs the access to acme-artifacts-webapp-111111111111-ap-northeast-1 into acme-access-logs-111111111111-ap-northeast-1, which no required path proves (add it to lib/verify/paths.ts)',
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
  let upload: AccessPath;
  beforeAll(async () => {
    const webapp = exampleConfig().pipelines[0];
    const required = await requiredPaths(webapp, new Naming(webapp), inventoryOf(model, exampleConfig().pipelines));
    upload = required.find(
      (p) => p.action === 's3:PutObject' && p.actor.kind === 'role' && p.actor.arn.endsWith(':role/acme-webapp-source'),
    )!;
  });

  it('is allowed with the context the verifier supplies, naming both deciding statements', async () => {
    const outcome = await evaluate(model, upload);
    expect(outcome).toMatchObject({
      result: 'Allowed',
      problems: [],
      deciding:
        'identity least-privilege#ReadsWritesArtifacts + bucket policy#SourceReadsWritesArtifacts + ' +
        'boundary acme-webapp-repository-boundary#AllowPipelineServicesAtMost',
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
        /^\| ok +\| acme-webapp-pipeline@111111111111 +\| sts:AssumeRole +\| arn:aws:iam::222222222222:role\/acme-webapp-source +\| Allowed +\| Allowed +\| identity least-privilege#AssumesActionRoles \+ trust policy#TrustExactRole \+ boundary acme-webapp-pipeline-boundary#AllowPipelineServicesAtMost +\|$/,
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
    // The artifact key is a multi-region key (its replicas share the id); a deploy bucket's key is a plain one.
    const keyArn = model.keyAliases.get(ARTIFACT_KEY)!;
    expect(keyArn).toMatch(/^arn:aws:kms:ap-northeast-1:111111111111:key\/mrk-[0-9a-f]{32}$/);
    expect(model.keyAliases.get('arn:aws:kms:ap-northeast-1:333333333333:alias/acme-deploy')).toMatch(
      /^arn:aws:kms:ap-northeast-1:333333333333:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const decrypts = model
      .role('arn:aws:iam::333333333333:role/acme-webapp-deploy-staging')
      .identity[0].document.Statement.find((s) => s.Sid === 'DecryptsArtifacts');
    expect(decrypts?.Resource).toEqual([keyArn]);
    expect(new AccessModel(app).keyAliases.get(ARTIFACT_KEY)).toBe(keyArn);
  });

  it('gives a replica key the id of its primary, in its own region, and its alias the key of that region', () => {
    const model = new AccessModel(synthesize(shippedConfig('config/examples/release-flow.yaml')));
    const primary = model.keyAliases.get('arn:aws:kms:eu-west-1:111111111111:alias/retail-artifacts')!;
    const replica = model.keyAliases.get('arn:aws:kms:us-east-1:111111111111:alias/retail-artifacts')!;
    expect(replica).toBe(primary.replace(':eu-west-1:', ':us-east-1:'));
    expect(model.resourcePolicies.find((p) => p.arn === replica)?.kind).toBe('replica key');
  });

  it('resolves outputs through S3 remote state, Terraform Cloud remote state and tfe_outputs to the producer stack', () => {
    const read = (file: string, stack: string, expression: string) =>
      new Resolver(synthesize(shippedConfig(file))).resolve(stack, expression);
    expect(
      read(
        'config/examples/s3-backend.yaml',
        'webapp-target-staging',
        '${data.terraform_remote_state.remote_webapp_base.outputs.artifact_bucket_arn}',
      ),
    ).toBe('arn:aws:s3:::acme-artifacts-webapp-111111111111-ap-northeast-1');
    expect(
      read(
        'config/examples/terraform-cloud.yaml',
        'webapp-pipeline',
        '${data.tfe_outputs.remote_webapp_repository.nonsensitive_values.source_role_arn}',
      ),
    ).toBe('arn:aws:iam::222222222222:role/acme-webapp-source');
    const enterprise = configurations.find(([name]) => name.startsWith('Terraform Enterprise'))![1];
    expect(
      new Resolver(synthesize(enterprise)).resolve(
        'scale-pipeline',
        '${data.terraform_remote_state.remote_scale_repository.outputs.source_role_arn}',
      ),
    ).toBe('arn:aws:iam::100000000002:role/acme-scale-source');
  });

  it('refuses a read of state no stack keeps, and a sensitive output read through nonsensitive_values', () => {
    const cfg = shippedConfig('config/examples/terraform-cloud.yaml');
    const elsewhere = mutated((stacks) => {
      stacks['webapp-pipeline'].data.tfe_outputs.remote_webapp_repository.workspace = 'acme-elsewhere';
    }, cfg);
    expect(() =>
      new Resolver(elsewhere).resolve('webapp-pipeline', '${data.tfe_outputs.remote_webapp_repository.nonsensitive_values.source_role_arn}'),
    ).toThrow(
      'webapp-pipeline: data.tfe_outputs.remote_webapp_repository reads state cloud:app.terraform.io/acme/acme-elsewhere, which no stack keeps',
    );
    const sensitive = mutated((stacks) => {
      stacks['webapp-repository'].output.source_role_arn.sensitive = true;
    }, cfg);
    expect(() =>
      new Resolver(sensitive).resolve('webapp-pipeline', '${data.tfe_outputs.remote_webapp_repository.nonsensitive_values.source_role_arn}'),
    ).toThrow('reads sensitive output "source_role_arn" of webapp-repository, which nonsensitive_values leaves out');
  });

  it('resolves remote-state outputs through the producer stack', () => {
    const resolver = new Resolver(app);
    expect(
      resolver.resolve('webapp-target-staging', '${data.terraform_remote_state.remote_webapp_base.outputs.artifact_bucket_arn}/*'),
    ).toBe('arn:aws:s3:::acme-artifacts-webapp-111111111111-ap-northeast-1/*');
    expect(resolver.resolve('webapp-pipeline', '${data.terraform_remote_state.remote_webapp_repository.outputs.source_role_arn}')).toBe(
      'arn:aws:iam::222222222222:role/acme-webapp-source',
    );
  });

  it('refuses an attribute whose value only AWS knows and the verifier does not model', () => {
    expect(() => new Resolver(app).resolve('webapp-target-staging', '${aws_iam_role.deploy_role.unique_id}')).toThrow(
      'the verifier does not know how AWS forms "unique_id" of aws_iam_role (add it to lib/verify/resolve.ts)',
    );
  });
});

describe('stage gates and Lambda deploys flip the right paths when mutated', () => {
  const cfg = () => shippedConfig('config/examples/release-safety.yaml');
  const PRODUCTION_FN = 'payments-ledger-deploy-production-fn@333333333333';

  it("without the gate's grant, the deploy role can no longer read the alarm its gate watches", async () => {
    const verification = await verifyAccess(
      mutated(
        (stacks) => withoutStatement(stacks, 'ledger-target-staging-fn', 'deploy_role_permissions', 'ReadsStageGateAlarms'),
        cfg(),
      ),
      cfg(),
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource, o.deciding])).toEqual([
      [
        'payments-ledger-deploy-staging-fn@222222222222',
        'cloudwatch:DescribeAlarms',
        'arn:aws:cloudwatch:eu-central-1:222222222222:alarm:ledger-api-errors',
        'no Allow in identity policies',
      ],
    ]);
  });

  it('a gate widened to every alarm lets the deploy role read alarms it does not watch', async () => {
    const verification = await verifyAccess(
      mutated((stacks) => {
        statement(stacks, 'ledger-target-staging-fn', 'deploy_role_permissions', 'ReadsStageGateAlarms').resources = [
          'arn:aws:cloudwatch:eu-central-1:222222222222:alarm:*',
        ];
      }, cfg()),
      cfg(),
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource])).toEqual([
      [
        'payments-ledger-deploy-staging-fn@222222222222',
        'cloudwatch:DescribeAlarms',
        'arn:aws:cloudwatch:eu-central-1:222222222222:alarm:ledger-api-errors-unwatched',
      ],
    ]);
  });

  it('a Lambda grant widened to every function lets the deploy role deploy other functions', async () => {
    const verification = await verifyAccess(
      mutated((stacks) => {
        statement(stacks, 'ledger-target-production-fn', 'deploy_role_permissions', 'DeploysFunction').resources = [
          'arn:aws:lambda:eu-central-1:333333333333:function:*',
        ];
      }, cfg()),
      cfg(),
    );
    expect(failing(verification).map((o) => [actorLabel(o.path.actor), o.path.action, o.path.resource])).toEqual([
      [PRODUCTION_FN, 'lambda:UpdateFunctionCode', 'arn:aws:lambda:eu-central-1:333333333333:function:ledger-api-other'],
    ]);
  });
});
