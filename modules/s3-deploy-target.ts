import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import type { AccessLogTarget } from './log-bucket';
import type { Statement } from './policy-document';
import { SecureBucket } from './secure-bucket';

export interface S3DeployTargetProps {
  provider: AwsProvider;
  accountId: string;
  bucketName: string;
  keyAlias: string;
  /** Key prefix the artifact is extracted into, e.g. `release/`. */
  prefix: string;
  /** The target account's deploy role: the only principal that may use the key. */
  deployRoleArn: string;
  accessLogs?: AccessLogTarget;
  protect: boolean;
}

/**
 * The bucket an S3 deploy action extracts into (seed 002), in the target
 * account: the deploy role runs there, and `BucketOwnerEnforced` makes the
 * target account own every object whoever writes it.
 */
export class S3DeployTarget extends Construct {
  readonly bucketName: string;
  readonly keyArn: string;
  /** What the deploy role needs: write under the prefix, encrypt with the bucket key. */
  readonly deployStatements: Statement[];

  constructor(scope: Construct, id: string, props: S3DeployTargetProps) {
    super(scope, id);
    const key = new CustomerManagedKey(this, 'key', {
      provider: props.provider,
      alias: props.keyAlias,
      description: `Encrypts deployed objects in ${props.bucketName}`,
      ownerAccountId: props.accountId,
      users: [{ sid: 'DeployRoleUsesKey', accountIds: [props.accountId], roleArns: [props.deployRoleArn], access: 'encrypt-decrypt' }],
      protect: props.protect,
    });
    const bucket = new SecureBucket(this, 'bucket', {
      provider: props.provider,
      bucketName: props.bucketName,
      keyArn: key.arn,
      accessLogs: props.accessLogs,
      protect: props.protect,
    });
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    this.bucketName = bucket.name;
    this.keyArn = key.arn;
    this.deployStatements = [
      { sid: 'WritesReleaseObjects', actions: ['s3:PutObject'], resources: [`${bucketArn}/${props.prefix}*`] },
      { sid: 'LocatesDeployBucket', actions: ['s3:GetBucketLocation'], resources: [bucketArn] },
      { sid: 'EncryptsReleaseObjects', actions: ['kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'], resources: [key.arn] },
    ];
  }
}
