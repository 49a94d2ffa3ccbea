import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { ArtifactStore } from '../modules/artifact-store';
import { BuildProject } from '../modules/build-project';
import { CustomerManagedKey } from '../modules/customer-managed-key';
import { EventRoute } from '../modules/event-route';
import { Role } from '../modules/iam-role';
import { Pipeline } from '../modules/pipeline';
import { PolicyDocument } from '../modules/policy-document';
import { SecureBucket } from '../modules/secure-bucket';
import { ReadableStack } from '../lib/readable-stack';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Synthesizes one module in a stack with the project's readable addresses. */
function synth(build: (scope: Construct, provider: AwsProvider) => void): any {
  const stack = new ReadableStack(Testing.app(), 'test');
  build(stack, new AwsProvider(stack, 'aws', { region: 'eu-west-1', alias: 'test' }));
  return JSON.parse(Testing.synth(stack));
}

function statements(json: any, document: string): any[] {
  return json.data.aws_iam_policy_document[document].statement;
}

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/abc';
const PIPELINE_ROLE = 'arn:aws:iam::111111111111:role/app-pipeline';

describe('ReadableStack', () => {
  it('refuses two construct paths that would share one address', () => {
    const stack = new ReadableStack(Testing.app(), 'test');
    const provider = new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const statement = [{ sid: 'A', actions: ['s3:GetObject'], resources: ['*'] }];
    new PolicyDocument(stack, 'a_b', { provider, statements: statement });
    const a = new PolicyDocument(stack, 'a', { provider, statements: statement });
    expect(() => new PolicyDocument(a, 'b', { provider, statements: statement })).toThrow(
      'address "a_b" is used by both test/a_b/Default and test/a/b/Default',
    );
  });
});

describe('PolicyDocument', () => {
  it('refuses two statements with the same sid', () => {
    expect(() =>
      synth((scope, provider) => {
        new PolicyDocument(scope, 'doc', {
          provider,
          statements: [
            { sid: 'Same', actions: ['s3:GetObject'], resources: ['*'] },
            { sid: 'Same', actions: ['s3:PutObject'], resources: ['*'] },
          ],
        });
      }),
    ).toThrow('duplicate statement sid "Same"');
  });
});

describe('Role', () => {
  it('trusts exactly one role through the account root and aws:PrincipalArn', () => {
    const json = synth((scope, provider) => {
      new Role(scope, 'deploy', {
        provider,
        name: 'app-deploy',
        description: 'd',
        trust: { kind: 'role', roleArn: PIPELINE_ROLE },
        statements: [{ sid: 'Reads', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }],
      });
    });
    const trust = Object.values<any>(json.data.aws_iam_policy_document).find((d) => d.statement[0].sid === 'TrustExactRole');
    expect(trust.statement[0]).toMatchObject({
      principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111111111111:root'] }],
      condition: [{ test: 'ArnEquals', variable: 'aws:PrincipalArn', values: [PIPELINE_ROLE] }],
    });
    expect(Object.values<any>(json.resource.aws_iam_role_policy)).toHaveLength(1);
  });

  it('trusts a service only for this account and source (confused deputy)', () => {
    const json = synth((scope, provider) => {
      new Role(scope, 'svc', {
        provider,
        name: 'app-svc',
        description: 'd',
        trust: { kind: 'service', service: 'events.amazonaws.com', sourceAccount: '111111111111', sourceArn: 'arn:aws:events:eu-west-1:111111111111:rule/r' },
        statements: [],
      });
    });
    const [trust] = Object.values<any>(json.data.aws_iam_policy_document);
    expect(trust.statement[0].condition).toEqual([
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111111111111'] },
      { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:events:eu-west-1:111111111111:rule/r'] },
    ]);
    expect(json.resource.aws_iam_role_policy).toBeUndefined();
  });
});

describe('CustomerManagedKey', () => {
  const json = synth((scope, provider) => {
    new CustomerManagedKey(scope, 'key', {
      provider,
      alias: 'alias/app',
      description: 'd',
      ownerAccountId: '111111111111',
      users: [{ sid: 'Readers', accountIds: ['333333333333'], roleArns: ['arn:aws:iam::333333333333:role/r'], access: 'decrypt' }],
      protect: true,
    });
  });
  const policy = Object.fromEntries(Object.values<any>(json.data.aws_iam_policy_document)[0].statement.map((s: any) => [s.sid, s]));

  it('rotates, keeps a 30-day deletion window and is protected from destroy', () => {
    expect(Object.values<any>(json.resource.aws_kms_key)[0]).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(Object.values<any>(json.resource.aws_kms_alias)[0].name).toBe('alias/app');
  });

  it('lets the owner administer without kms:*, and readers only decrypt as their exact roles', () => {
    expect(policy.OwnerAccountAdministers.actions).not.toContain('kms:*');
    expect(policy.OwnerAccountAdministers.actions).not.toContain('kms:Decrypt');
    expect(policy.Readers).toMatchObject({
      actions: ['kms:Decrypt', 'kms:DescribeKey'],
      principals: [{ identifiers: ['arn:aws:iam::333333333333:root'] }],
      condition: [{ variable: 'aws:PrincipalArn', values: ['arn:aws:iam::333333333333:role/r'] }],
    });
  });
});

describe('SecureBucket', () => {
  const build = (denyUploadsWithoutKms: boolean) =>
    synth((scope, provider) => {
      new SecureBucket(scope, 'bucket', { provider, bucketName: 'b', keyArn: KEY, protect: false, denyUploadsWithoutKms });
    });

  it('can be destroyed with its objects only when unprotected; a protected bucket keeps them and refuses destroy', () => {
    const bucketOf = (protect: boolean) =>
      Object.values<any>(
        synth((scope, provider) => void new SecureBucket(scope, 'bucket', { provider, bucketName: 'b', keyArn: KEY, protect })).resource.aws_s3_bucket,
      )[0];
    expect(bucketOf(true)).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(bucketOf(false)).toMatchObject({ force_destroy: true, lifecycle: { prevent_destroy: false } });
  });

  it('is versioned, SSE-KMS with the customer key, private, owner-enforced and TLS-only', () => {
    const json = build(false);
    const only = (type: string) => Object.values<any>(json.resource[type])[0];
    expect(only('aws_s3_bucket')).toMatchObject({ bucket: 'b', force_destroy: true, lifecycle: { prevent_destroy: false } });
    expect(only('aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(only('aws_s3_bucket_server_side_encryption_configuration').rule[0]).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: 'aws:kms', kms_master_key_id: KEY },
      bucket_key_enabled: true,
    });
    expect(only('aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(only('aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    const sids = statements(json, 'bucket_policy_document').map((s) => s.sid);
    expect(sids).toEqual(['DenyInsecureTransport']);
  });

  it('denies uploads without SSE-KMS when asked to', () => {
    const sids = statements(build(true), 'bucket_policy_document').map((s) => s.sid);
    expect(sids).toEqual(['DenyInsecureTransport', 'DenyUploadsWithoutKms']);
  });
});

describe('ArtifactStore', () => {
  it('grants other accounts on the bucket by exact role in one statement per group, with the shared key it is given', () => {
    const json = synth((scope, provider) => {
      new ArtifactStore(scope, 'store', {
        provider,
        accountId: '111111111111',
        bucketName: 'artifacts',
        keyArn: KEY,
        protect: true,
        users: [
          { sid: 'Pipeline', accountIds: ['111111111111'], roleArns: [PIPELINE_ROLE], access: 'read-write' },
          {
            sid: 'Deploy',
            accountIds: ['333333333333', '444444444444'],
            roleArns: ['arn:aws:iam::333333333333:role/d', 'arn:aws:iam::444444444444:role/d'],
            access: 'read',
          },
        ],
      });
    });
    const bucket = statements(json, 'store_bucket_policy_document');
    expect(bucket.map((s) => s.sid)).toEqual(['DenyInsecureTransport', 'DenyUploadsWithoutKms', 'DeployReadsArtifacts']);
    expect(bucket[2]).toEqual({
      sid: 'DeployReadsArtifacts',
      effect: 'Allow',
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:GetBucketVersioning', 's3:ListBucket'],
      resources: ['arn:aws:s3:::artifacts/*', 'arn:aws:s3:::artifacts'],
      principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::333333333333:root', 'arn:aws:iam::444444444444:root'] }],
      condition: [
        {
          test: 'ArnEquals',
          variable: 'aws:PrincipalArn',
          values: ['arn:aws:iam::333333333333:role/d', 'arn:aws:iam::444444444444:role/d'],
        },
      ],
    });
    // The key is the platform's: the store creates none, and its bucket encrypts with the one given.
    expect(json.resource.aws_kms_key).toBeUndefined();
    expect(Object.values<any>(json.resource.aws_s3_bucket_server_side_encryption_configuration)[0].rule[0]).toMatchObject({
      apply_server_side_encryption_by_default: { kms_master_key_id: KEY, sse_algorithm: 'aws:kms' },
    });
  });
});

describe('CustomerManagedKey shared by a platform', () => {
  it('admits role name patterns only through the named services, and DescribeKey without them', () => {
    const json = synth((scope, provider) => {
      new CustomerManagedKey(scope, 'key', {
        provider,
        alias: 'alias/acme-artifacts',
        description: 'shared',
        ownerAccountId: '111111111111',
        protect: true,
        users: [
          {
            sid: 'ServedRolesUseKey',
            accountIds: ['222222222222'],
            roleArnPatterns: ['arn:aws:iam::222222222222:role/acme-*'],
            viaServices: ['s3.eu-west-1.amazonaws.com'],
            access: 'decrypt',
          },
        ],
      });
    });
    const [, use, describe] = statements(json, 'key_policy');
    expect(use).toMatchObject({
      sid: 'ServedRolesUseKey',
      actions: ['kms:Decrypt'],
      condition: [
        { test: 'ArnLike', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::222222222222:role/acme-*'] },
        { test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.eu-west-1.amazonaws.com'] },
      ],
    });
    expect(describe).toMatchObject({
      sid: 'ServedRolesUseKeyDescribe',
      actions: ['kms:DescribeKey'],
      condition: [{ test: 'ArnLike', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::222222222222:role/acme-*'] }],
    });
  });
});

describe('EventRoute', () => {
  it('gives the rule a role that may call one action on its one target', () => {
    const json = synth((scope, provider) => {
      new EventRoute(scope, 'route', {
        provider,
        accountId: '222222222222',
        ruleName: 'forward',
        ruleArn: 'arn:aws:events:eu-west-1:222222222222:rule/forward',
        description: 'd',
        eventPattern: { source: ['aws.codecommit'] },
        targetArn: 'arn:aws:events:eu-west-1:111111111111:event-bus/bus',
        targetAction: 'events:PutEvents',
        roleName: 'forwarder',
      });
    });
    expect(statements(json, 'route_role_permissions')).toEqual([
      { sid: 'CallTarget', effect: 'Allow', actions: ['events:PutEvents'], resources: ['arn:aws:events:eu-west-1:111111111111:event-bus/bus'] },
    ]);
    expect(statements(json, 'route_role_trust')[0].condition[1].values).toEqual(['arn:aws:events:eu-west-1:222222222222:rule/forward']);
    expect(json.resource.aws_cloudwatch_event_rule.route.event_pattern).toBe('${jsonencode({"source" = ["aws.codecommit"]})}');
  });
});

describe('BuildProject', () => {
  it('is unprivileged, encrypted with the artifact key, and logs to a KMS-encrypted group with retention', () => {
    const json = synth((scope, provider) => {
      new BuildProject(scope, 'build', {
        provider,
        accountId: '111111111111',
        projectName: 'app-build',
        projectArn: 'arn:aws:codebuild:eu-west-1:111111111111:project/app-build',
        roleName: 'app-build',
        logGroupName: '/aws/codebuild/app-build',
        logGroupArn: 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/codebuild/app-build',
        logRetentionDays: 30,
        image: 'aws/codebuild/standard:7.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        buildspec: 'buildspec.yml',
        artifactBucketArn: 'arn:aws:s3:::artifacts',
        keyArn: KEY,
      });
    });
    const project = json.resource.aws_codebuild_project.build;
    expect(project.environment.privileged_mode).toBe(false);
    expect(project.encryption_key).toBe(KEY);
    expect(project.logs_config.cloudwatch_logs).toEqual({ status: 'ENABLED', group_name: '${aws_cloudwatch_log_group.build_logs.name}' });
    expect(json.resource.aws_cloudwatch_log_group.build_logs).toMatchObject({ retention_in_days: 30, kms_key_id: KEY });
  });
});

describe('Pipeline', () => {
  it('lets its role assume exactly the roles its actions name, once each', () => {
    const action = (name: string, roleArn?: string) => ({
      name,
      category: 'Deploy',
      owner: 'AWS',
      provider: 'S3',
      version: '1',
      roleArn,
    });
    const json = synth((scope, provider) => {
      new Pipeline(scope, 'pipeline', {
        provider,
        accountId: '111111111111',
        name: 'app',
        pipelineArn: 'arn:aws:codepipeline:eu-west-1:111111111111:app',
        roleName: 'app-pipeline',
        artifactStores: [{ region: 'eu-west-1', bucketName: 'artifacts', keyArn: KEY }],
        stages: [
          { name: 'A', actions: [action('one', 'arn:aws:iam::2:role/x'), action('two')] },
          { name: 'B', actions: [action('three', 'arn:aws:iam::2:role/x'), action('four', 'arn:aws:iam::3:role/y')] },
        ],
        executionMode: 'QUEUED',
        variables: [],
        triggers: [],
        statements: [],
      });
    });
    const assume = statements(json, 'pipeline_role_permissions').find((s) => s.sid === 'AssumesActionRoles');
    expect(assume.resources).toEqual(['arn:aws:iam::2:role/x', 'arn:aws:iam::3:role/y']);
  });
});
