import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import type { AccessLogTarget } from './log-bucket';
import { denyInsecureTransport, PolicyDocument, type Statement } from './policy-document';

interface CommonProps {
  provider: AwsProvider;
  bucketName: string;
  /** Extra bucket-policy statements (cross-account grants). TLS-only is always added. */
  statements?: Statement[];
  /** Deny PutObject unless the request asks for SSE-KMS (the artifact bucket of seed 003). */
  denyUploadsWithoutKms?: boolean;
  /** Where S3 server access logs go: a log bucket of the same account and region. */
  accessLogs?: AccessLogTarget;
  protect: boolean;
}

export type SecureBucketProps = CommonProps &
  (
    | {
        /** Customer-managed key for default SSE-KMS encryption. */
        keyArn: string;
        /** S3 Bucket Keys (fewer KMS calls); default on. */
        bucketKey?: boolean;
      }
    /** The one exception to SSE-KMS: S3 delivers server access logs only into SSE-S3 buckets. */
    | { sseS3ForAccessLogs: true }
  );

/**
 * A private, versioned bucket: SSE-KMS with a customer key, all four public
 * access blocks, ACLs disabled (the bucket owner owns every object), a
 * TLS-only policy and, when given a target, server access logs.
 */
export class SecureBucket extends Construct {
  readonly id: string;
  readonly name: string;
  readonly arn: string;
  /** The bucket policy, for services that check it when they are configured (CloudTrail). */
  readonly policy: S3BucketPolicy;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    const { provider } = props;
    const bucket = new S3Bucket(this, 'Default', {
      provider,
      bucket: props.bucketName,
      // Unprotected buckets can be torn down with their objects and every version of them (docs/teardown.md);
      // it takes effect only once applied into state, before the destroy:
      // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket#force_destroy
      forceDestroy: !props.protect,
      lifecycle: { preventDestroy: props.protect },
    });
    new S3BucketVersioningA(this, 'versioning', {
      provider,
      bucket: bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      bucket: bucket.id,
      rule: [
        'keyArn' in props
          ? {
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.keyArn },
              bucketKeyEnabled: props.bucketKey ?? true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    const publicAccessBlock = new S3BucketPublicAccessBlock(this, 'public_access_block', {
      provider,
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      provider,
      bucket: bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });

    const objects = `${bucket.arn}/*`;
    const statements: Statement[] = [denyInsecureTransport([bucket.arn, objects], ['s3:*'])];
    if (props.denyUploadsWithoutKms) {
      statements.push({
        sid: 'DenyUploadsWithoutKms',
        effect: 'Deny',
        principals: [{ type: '*', identifiers: ['*'] }],
        actions: ['s3:PutObject'],
        resources: [objects],
        conditions: [{ test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption', values: ['aws:kms'] }],
      });
    }
    statements.push(...(props.statements ?? []));
    const policy = new PolicyDocument(this, 'policy_document', { provider, statements });
    this.policy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket: bucket.id,
      policy: policy.json,
      // S3 rejects a policy while the public access block is being written.
      dependsOn: [publicAccessBlock],
    });
    if (props.accessLogs) {
      new S3BucketLoggingA(this, 'access_logs', {
        provider,
        bucket: bucket.id,
        targetBucket: props.accessLogs.bucketName,
        targetPrefix: props.accessLogs.prefix,
      });
    }
    this.id = bucket.id;
    this.name = bucket.bucket;
    this.arn = bucket.arn;
  }
}
