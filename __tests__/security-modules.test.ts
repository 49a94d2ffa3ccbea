import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { ReadableStack } from '../lib/readable-stack';
import { EncryptedTopic } from '../modules/encrypted-topic';
import { Role } from '../modules/iam-role';
import { LogBucket } from '../modules/log-bucket';
import { BoundEveryRole, PermissionsBoundary } from '../modules/permissions-boundary';
import { unexpectedCallPattern } from '../modules/pipeline-alerts';
import { passRole } from '../modules/policy-document';

/* eslint-disable @typescript-eslint/no-explicit-any */
function synth(build: (scope: ReadableStack, provider: AwsProvider) => void): any {
  const stack = new ReadableStack(Testing.app(), 'test');
  build(stack, new AwsProvider(stack, 'aws', { region: 'eu-west-1', alias: 'test' }));
  return JSON.parse(Testing.synth(stack));
}

function statements(json: any, document: string): Record<string, any> {
  return Object.fromEntries(json.data.aws_iam_policy_document[document].statement.map((s: any) => [s.sid, s]));
}

const role = (scope: Construct, provider: AwsProvider, id: string) =>
  new IamRole(scope, id, { provider, name: id, assumeRolePolicy: '{}' });

describe('PermissionsBoundary and BoundEveryRole', () => {
  const boundaryOf = (scope: ReadableStack, provider: AwsProvider) => () =>
    new PermissionsBoundary(scope, 'boundary', {
      provider,
      accountId: '111111111111',
      name: 'app-test-boundary',
      productionDataTag: { key: 'env', value: 'prod' },
    }).arn;

  it('bounds every role of the stack, including roles created without the Role module', () => {
    const json = synth((stack, provider) => {
      const boundary = boundaryOf(stack, provider)();
      Aspects.of(stack).add(new BoundEveryRole(() => boundary));
      role(stack, provider, 'first');
      role(stack, provider, 'second');
    });
    expect(Object.values<any>(json.resource.aws_iam_role).map((r) => r.permissions_boundary)).toEqual([
      '${aws_iam_policy.boundary.arn}',
      '${aws_iam_policy.boundary.arn}',
    ]);
  });

  it('asks for no boundary in a stack without roles', () => {
    const asked = jest.fn(() => 'arn:aws:iam::111111111111:policy/unused');
    synth((stack) => Aspects.of(stack).add(new BoundEveryRole(asked)));
    expect(asked).not.toHaveBeenCalled();
  });

  it('denies users, keys, organization changes, boundary changes and deleting tagged data stores', () => {
    const json = synth((stack, provider) => void boundaryOf(stack, provider)());
    const policy = statements(json, 'boundary_document');
    expect(policy.DenyUsersAndAccessKeys.actions).toEqual(expect.arrayContaining(['iam:CreateUser', 'iam:CreateAccessKey', 'iam:AttachUserPolicy']));
    expect(policy.DenyOrganizationAndAccountChanges.actions).toEqual(['account:*', 'organizations:*']);
    expect(policy.DenyRewritingTheBoundary.resources).toEqual(['arn:aws:iam::111111111111:policy/app-test-boundary']);
    expect(policy.DenyDeletingBucketsAndKeys).toMatchObject({ actions: ['kms:ScheduleKeyDeletion', 's3:DeleteBucket'] });
    expect(policy.DenyDeletingBucketsAndKeys.condition).toBeUndefined();
    expect(policy.DenyDeletingProductionDataStores.condition).toEqual([
      { test: 'StringEquals', variable: 'aws:ResourceTag/env', values: ['prod'] },
    ]);
    expect(policy.AllowPassingRolesToDeployServicesOnly.condition[0].variable).toBe('iam:PassedToService');
  });

  it('allows what configured roles need after the pipeline\'s services, once each and in order', () => {
    const json = synth((stack, provider) => {
      new PermissionsBoundary(stack, 'boundary', {
        provider,
        accountId: '111111111111',
        name: 'app-test-boundary',
        productionDataTag: { key: 'env', value: 'prod' },
        extension: { services: ['sqs', 'dynamodb', 's3', 'sqs'], passRoleServices: ['lambda.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
      });
    });
    const policy = statements(json, 'boundary_document');
    expect(policy.AllowPipelineServicesAtMost.actions.slice(-3)).toEqual(['dynamodb:*', 'sqs:*', 'sts:AssumeRole']);
    expect(policy.AllowPipelineServicesAtMost.actions.filter((a: string) => a === 's3:*')).toHaveLength(1);
    expect(policy.AllowPassingRolesToDeployServicesOnly.condition[0].values).toEqual([
      'cloudformation.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'lambda.amazonaws.com',
    ]);
  });
});

describe('Role trusted by a service that sends no source keys', () => {
  it('has no source conditions, and the caller had to say why', () => {
    const json = synth((stack, provider) => {
      new Role(stack, 'svc', {
        provider,
        name: 'svc',
        description: 'd',
        trust: { kind: 'service', service: 'example.amazonaws.com', withoutSourceConditionsBecause: 'the service sends neither key' },
        statements: [],
      });
    });
    expect(statements(json, 'svc_trust').TrustService).toEqual({
      sid: 'TrustService',
      effect: 'Allow',
      actions: ['sts:AssumeRole'],
      principals: [{ type: 'Service', identifiers: ['example.amazonaws.com'] }],
    });
  });
});

describe('passRole', () => {
  it('names exact roles and one service', () => {
    expect(passRole('PassesStackRole', ['arn:aws:iam::1:role/cfn'], 'cloudformation.amazonaws.com')).toEqual({
      sid: 'PassesStackRole',
      actions: ['iam:PassRole'],
      resources: ['arn:aws:iam::1:role/cfn'],
      conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['cloudformation.amazonaws.com'] }],
    });
  });

  it('refuses wildcards and empty role lists', () => {
    expect(() => passRole('Any', ['arn:aws:iam::1:role/*'], 'ecs-tasks.amazonaws.com')).toThrow('iam:PassRole needs exact role ARNs');
    expect(() => passRole('None', [], 'ecs-tasks.amazonaws.com')).toThrow('iam:PassRole needs exact role ARNs');
  });
});

describe('LogBucket', () => {
  const json = synth((stack, provider) => {
    new LogBucket(stack, 'logs', {
      provider,
      bucketName: 'app-logs',
      accountId: '111111111111',
      sourceBucketNames: ['app-artifacts'],
      retentionDays: 30,
      protect: true,
    });
  });

  it('uses SSE-S3, which S3 server access logging requires, and expires logs', () => {
    expect(json.resource.aws_s3_bucket_server_side_encryption_configuration.logs_encryption.rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
    expect(json.resource.aws_s3_bucket_lifecycle_configuration.logs_lifecycle.rule[0]).toMatchObject({
      expiration: [{ days: 30 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
    expect(json.resource.aws_s3_bucket.logs.lifecycle).toEqual({ prevent_destroy: true });
  });

  it('accepts logs only from S3 logging for the named buckets of its account, over TLS', () => {
    const policy = statements(json, 'logs_policy_document');
    expect(policy.S3DeliversAccessLogs).toMatchObject({
      principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
      actions: ['s3:PutObject'],
      resources: ['arn:aws:s3:::app-logs/*'],
      condition: [
        { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:s3:::app-artifacts'] },
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111111111111'] },
      ],
    });
    expect(policy.DenyInsecureTransport.effect).toBe('Deny');
  });
});

describe('EncryptedTopic', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:111111111111:app-alerts';
  const json = synth((stack, provider) => {
    new EncryptedTopic(stack, 'alerts', {
      provider,
      name: 'app-alerts',
      region: 'eu-west-1',
      accountId: '111111111111',
      keyAlias: 'alias/app-alerts',
      publishers: [{ sid: 'Rules', service: 'events.amazonaws.com', sourceArns: ['arn:aws:events:eu-west-1:111111111111:rule/r'] }],
      emails: ['Ops@Example.com'],
      protect: false,
    });
  });

  it('lets the service use the key only for this topic, and publish only for the named rule of this account', () => {
    expect(statements(json, 'alerts_key_policy').RulesEncryptForThisTopic).toMatchObject({
      principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      condition: [{ test: 'StringEquals', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [topicArn] }],
    });
    expect(statements(json, 'alerts_policy_document').RulesPublish.condition).toEqual([
      { test: 'ArnEquals', variable: 'aws:SourceArn', values: ['arn:aws:events:eu-west-1:111111111111:rule/r'] },
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['111111111111'] },
    ]);
    expect(json.resource.aws_sns_topic.alerts.kms_master_key_id).toBe('${aws_kms_key.alerts_key.arn}');
  });

  it('names each email subscription after its address, so reordering replaces nothing', () => {
    expect(Object.keys(json.resource.aws_sns_topic_subscription)).toEqual(['alerts_email_ops_example_com']);
  });
});

describe('unexpectedCallPattern', () => {
  it('matches any caller when no role is expected', () => {
    expect(unexpectedCallPattern({ kind: 'k', description: 'd', eventNames: ['PutJobSuccessResult'], expectedRoleArns: [] })).toEqual({
      source: ['aws.codepipeline'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: { eventSource: ['codepipeline.amazonaws.com'], eventName: ['PutJobSuccessResult'] },
    });
  });

  it('matches callers that are not assumed roles, or roles other than the expected ones', () => {
    const pattern: any = unexpectedCallPattern({
      kind: 'k',
      description: 'd',
      eventNames: ['UpdatePipeline'],
      expectedRoleArns: ['arn:aws:iam::111111111111:role/terraform'],
    });
    expect(pattern.detail.$or).toEqual([
      { userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': ['arn:aws:iam::111111111111:role/terraform'] }] } } } },
    ]);
  });
});
