import { S3DeployTarget } from '../modules/s3-deploy-target';
import type { DeployKind } from './deploy-kind';

/** The output of an account's foundation stack with its shared deploy key in a region. */
export function deployKeyOutput(region: string): string {
  return `deploy_key_arn_${region.replace(/-/g, '_')}`;
}

/** Extract the build output into a bucket the target account owns (seed 002). */
export const s3Deploy: DeployKind<'s3'> = {
  readsArtifacts: true,

  problems: () => [],

  steps: () => ['Deploy'],

  provision({ scope, provider, config, naming, target, foundation }) {
    const bucketName = naming.deployBucket(target);
    // The account's shared key and log bucket of the target's region (stacks/account-foundation-stack.ts).
    const destination = new S3DeployTarget(scope, 'deploy_target', {
      provider,
      accountId: target.account.id,
      bucketName,
      keyArn: foundation(deployKeyOutput(target.account.region)),
      prefix: target.deploy.prefix,
      // S3 server access logs stay in the account and region of the bucket they describe.
      accessLogs: config.monitoring.accessLogs.enabled
        ? { bucketName: naming.targetAccessLogBucket(target), prefix: `${bucketName}/` }
        : undefined,
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
