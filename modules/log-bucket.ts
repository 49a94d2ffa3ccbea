import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { Construct } from 'constructs';
import { SecureBucket } from './secure-bucket';

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
   * Names of the buckets that log here, or name patterns such as `acme-*` for
   * a log bucket the platform's pipelines share (its policy then does not grow
   * with them). S3 delivers server access logs only within one account and
   * region, so each account and region with buckets has its own log bucket.
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
    const bucket = new SecureBucket(this, 'Default', {
      provider,
      bucketName: props.bucketName,
      sseS3ForAccessLogs: true,
      protect: props.protect,
      statements: [
        {
          sid: 'S3DeliversAccessLogs',
          principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
          actions: ['s3:PutObject'],
          resources: [`arn:aws:s3:::${props.bucketName}/*`],
          conditions: [
            // ArnLike: the same as ArnEquals for a name without wildcards.
            { test: 'ArnLike', variable: 'aws:SourceArn', values: props.sourceBucketNames.map((name) => `arn:aws:s3:::${name}`) },
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] },
          ],
        },
      ],
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
    this.name = bucket.name;
    this.arn = bucket.arn;
  }

  /** The target for one source bucket: its logs under a prefix named after it. */
  targetFor(sourceBucketName: string): AccessLogTarget {
    return { bucketName: this.name, prefix: `${sourceBucketName}/` };
  }
}
