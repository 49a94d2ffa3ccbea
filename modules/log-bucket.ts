import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { denyInsecureTransport, PolicyDocument } from './policy-document';

/** Where one bucket's server access logs go. */
export interface AccessLogTarget {
  bucketName: string;
  /** Key prefix of the source bucket's logs, e.g. `webapp-artifacts-…/`. */
  prefix: string;
}

export interface LogBucketProps {
  provider: AwsProvider;
  bucketName: string;
  accountId: string;
  /**
   * Names of the buckets that log here. S3 delivers server access logs only
   * within one account and region, so each account with buckets has its own
   * log bucket, and its policy names exactly these sources.
   */
  sourceBucketNames: string[];
  retentionDays: number;
  protect: boolean;
}

/**
 * The destination of S3 server access logs: private, versioned, owner-enforced
 * and TLS-only like every bucket here, written only by the S3 logging service
 * for the named source buckets of this account, and expired after the
 * retention period. Encrypted with SSE-S3: S3 does not deliver server access
 * logs into a bucket whose default encryption is SSE-KMS.
 */
export class LogBucket extends Construct {
  readonly name: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: LogBucketProps) {
    super(scope, id);
    const { provider } = props;
    const bucket = new S3Bucket(this, 'Default', {
      provider,
      bucket: props.bucketName,
      forceDestroy: false,
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
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
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
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket: bucket.id,
      rule: [
        {
          id: 'expire-access-logs',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          expiration: [{ days: props.retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });

    const logsArn = `arn:aws:s3:::${props.bucketName}`;
    const policy = new PolicyDocument(this, 'policy_document', {
      provider,
      statements: [
        denyInsecureTransport([bucket.arn, `${bucket.arn}/*`], ['s3:*']),
        {
          sid: 'S3DeliversAccessLogs',
          principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
          actions: ['s3:PutObject'],
          resources: [`${logsArn}/*`],
          conditions: [
            { test: 'ArnEquals', variable: 'aws:SourceArn', values: props.sourceBucketNames.map((name) => `arn:aws:s3:::${name}`) },
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] },
          ],
        },
      ],
    });
    new S3BucketPolicy(this, 'policy', {
      provider,
      bucket: bucket.id,
      policy: policy.json,
      // S3 rejects a policy while the public access block is being written.
      dependsOn: [publicAccessBlock],
    });
    this.name = bucket.bucket;
    this.arn = bucket.arn;
  }

  /** The target for one source bucket: its logs under a prefix named after it. */
  targetFor(sourceBucketName: string): AccessLogTarget {
    return { bucketName: this.name, prefix: `${sourceBucketName}/` };
  }
}
