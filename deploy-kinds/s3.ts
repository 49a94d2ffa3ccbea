import { LogBucket } from '../modules/log-bucket';
import { S3DeployTarget } from '../modules/s3-deploy-target';
import type { DeployKind } from './deploy-kind';

/** Extract the build output into a bucket the target account owns (seed 002). */
export const s3Deploy: DeployKind<'s3'> = {
  readsArtifacts: true,

  problems: () => [],

  steps: () => ['Deploy'],

  provision({ scope, provider, config, naming, target }) {
    // S3 server access logs stay in the account and region of the bucket they describe.
    const { accessLogs } = config.monitoring;
    const logBucket = accessLogs.enabled
      ? new LogBucket(scope, 'access_logs', {
          provider,
          bucketName: naming.targetAccessLogBucket(target),
          accountId: target.account.id,
          sourceBucketNames: [naming.deployBucket(target)],
          retentionDays: accessLogs.retentionDays,
          protect: config.protectStatefulResources,
        })
      : undefined;
    const destination = new S3DeployTarget(scope, 'deploy_target', {
      provider,
      accountId: target.account.id,
      bucketName: naming.deployBucket(target),
      keyAlias: naming.deployKeyAlias(target),
      prefix: target.deploy.prefix,
      deployRoleArn: naming.deployRoleArn(target),
      accessLogs: logBucket?.targetFor(naming.deployBucket(target)),
      protect: config.protectStatefulResources,
    });
    return {
      deployStatements: destination.deployStatements,
      outputs: [
        { name: 'deploy_bucket_name', value: destination.bucketName, description: `Bucket the ${target.name} deploy action writes to` },
        { name: 'deploy_key_arn', value: destination.keyArn, description: `KMS key of the ${target.name} deploy bucket` },
      ],
    };
  },

  action({ target, output, buildArtifact }) {
    return {
      category: 'Deploy',
      owner: 'AWS',
      provider: 'S3',
      version: '1',
      inputArtifacts: [buildArtifact],
      configuration: {
        BucketName: output('deploy_bucket_name'),
        Extract: 'true',
        // With Extract, ObjectKey is the prefix the files land under; empty means the bucket root.
        ...(target.deploy.prefix ? { ObjectKey: target.deploy.prefix } : {}),
        KMSEncryptionKeyARN: output('deploy_key_arn'),
      },
    };
  },
};
