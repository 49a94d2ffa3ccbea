import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketNotification } from '@cdktf/provider-aws/lib/s3-bucket-notification';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import type { AccessLogTarget } from './log-bucket';
import { principalArnIs } from './policy-document';
import { SecureBucket } from './secure-bucket';

export interface SourceBucketProps {
  provider: AwsProvider;
  accountId: string;
  bucketName: string;
  keyAlias: string;
  /** The only roles that may put the source object. */
  uploaderRoleArns: string[];
  /** The roles that read it: the pipeline's role. */
  readerRoleArns: string[];
  /** Where S3 server access logs go: the log bucket of the pipeline account and region. */
  accessLogs?: AccessLogTarget;
  protect: boolean;
}

/**
 * The versioned bucket a pipeline takes its source object from (seed 002),
 * encrypted with its own key. Only the named uploader roles may put objects,
 * so nobody else in the account can decide what gets released; each new
 * version is announced on the account's default EventBridge bus.
 */
export class SourceBucket extends Construct {
  readonly name: string;
  readonly arn: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: SourceBucketProps) {
    super(scope, id);
    const { provider } = props;
    const key = new CustomerManagedKey(this, 'key', {
      provider,
      alias: props.keyAlias,
      description: `Encrypts the pipeline source in ${props.bucketName}`,
      ownerAccountId: props.accountId,
      users: [
        { sid: 'UploadersUseKey', accountIds: [props.accountId], roleArns: props.uploaderRoleArns, access: 'encrypt-decrypt' },
        { sid: 'ReadersUseKey', accountIds: [props.accountId], roleArns: props.readerRoleArns, access: 'decrypt' },
      ],
      protect: props.protect,
    });
    const bucket = new SecureBucket(this, 'Default', {
      provider,
      bucketName: props.bucketName,
      keyArn: key.arn,
      denyUploadsWithoutKms: true,
      accessLogs: props.accessLogs,
      statements: [
        {
          sid: 'DenyUploadsByOthers',
          effect: 'Deny',
          principals: [{ type: '*', identifiers: ['*'] }],
          actions: ['s3:PutObject'],
          resources: [`arn:aws:s3:::${props.bucketName}/*`],
          conditions: [{ ...principalArnIs(props.uploaderRoleArns), test: 'ArnNotEquals' }],
        },
      ],
      protect: props.protect,
    });
    new S3BucketNotification(this, 'events', { provider, bucket: bucket.name, eventbridge: true });
    this.name = bucket.name;
    this.arn = bucket.arn;
    this.keyArn = key.arn;
  }
}
