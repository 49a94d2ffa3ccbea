import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { AccessLogTarget } from './log-bucket';
import type { Statement } from './policy-document';
import { SecureBucket } from './secure-bucket';

export interface S3DeployTargetProps {
  provider: AwsProvider;
  accountId: string;
  bucketName: string;
  /** The account's shared deploy key of the bucket's region (the account foundation stack's). */
  keyArn: string;
  /** Key prefix the artifact is extracted into, e.g. `release/`. */
  prefix: string;
  accessLogs?: AccessLogTarget;
  protect: boolean;
}

/**
 * The bucket an S3 deploy action extracts into (seed 002), in the target
 * account: the deploy role runs there, and `BucketOwnerEnforced` makes the
 * target account own every object whoever writes it. The key is the
 * account's shared deploy key, which the platform's roles may use only
 * through S3: a deploy role reaches releases under it only where S3 lets it
 * write, under this bucket's prefix.
 */
export class S3DeployTarget extends Construct {
  readonly bucketName: string;
  readonly keyArn: string;
  /** What the deploy role needs: write under the prefix, encrypt with the bucket key. */
  readonly deployStatements: Statement[];

  constructor(scope: Construct, id: string, props: S3DeployTargetProps) {
    super(scope, id);
    const bucket = new SecureBucket(this, 'bucket', {
      provider: props.provider,
      bucketName: props.bucketName,
      keyArn: props.keyArn,
      accessLogs: props.accessLogs,
      protect: props.protect,
    });
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    this.bucketName = bucket.name;
    this.keyArn = props.keyArn;
    this.deployStatements = [
      { sid: 'WritesReleaseObjects', actions: ['s3:PutObject'], resources: [`${bucketArn}/${props.prefix}*`] },
      { sid: 'LocatesDeployBucket', actions: ['s3:GetBucketLocation'], resources: [bucketArn] },
      // kms:Decrypt too: large files are uploaded in parts, and S3 must decrypt the SSE-KMS parts, as the uploader, to
      // assemble them ("Why do I need kms:Decrypt for multipart uploads with SSE-KMS?"):
      // https://aws.amazon.com/premiumsupport/knowledge-center/s3-multipart-kms-decrypt/ and
      // https://repost.aws/knowledge-center/s3-large-file-encryption-kms-key. The key policy names the account (root,
      // narrowed by aws:PrincipalArn), which only lets IAM policies grant the key, so the role's own policy must say it:
      // https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
      {
        sid: 'EncryptsReleaseObjects',
        actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*'],
        resources: [props.keyArn],
      },
    ];
  }
}
