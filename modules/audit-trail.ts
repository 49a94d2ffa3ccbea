import { Cloudtrail } from '@cdktf/provider-aws/lib/cloudtrail';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountRootArn } from '../lib/naming';
import { CustomerManagedKey } from './customer-managed-key';
import { Role } from './iam-role';
import type { AccessLogTarget } from './log-bucket';
import { SecureBucket } from './secure-bucket';

export interface AuditTrailProps {
  provider: AwsProvider;
  accountId: string;
  region: string;
  trailName: string;
  /** ARN the trail will have: key and bucket policies are pinned to it before it exists. */
  trailArn: string;
  bucketName: string;
  keyAlias: string;
  logGroupName: string;
  logGroupArn: string;
  logRetentionDays: number;
  logsRoleName: string;
  /** Buckets whose object reads and writes are recorded (data events), e.g. the artifact bucket. */
  /**
   * Object-level (data) events are recorded for the buckets whose ARN starts
   * with this, e.g. `arn:aws:s3:::acme-artifacts-`: every pipeline's artifact
   * buckets, however many pipelines there are.
   */
  dataEventBucketArnPrefix: string;
  accessLogs?: AccessLogTarget;
  protect: boolean;
}

/**
 * A multi-region CloudTrail trail of the pipeline account (seed 004): log file
 * validation, log files encrypted with its own customer key, a private bucket
 * that only this trail writes to, a CloudWatch Logs copy for queries and
 * alarms, and data events for the named buckets.
 */
export class AuditTrail extends Construct {
  readonly arn: string;
  readonly bucketName: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { provider, accountId } = props;
    const trailsOfThisAccount = `arn:aws:cloudtrail:*:${accountId}:trail/*`;
    const key = new CustomerManagedKey(this, 'key', {
      provider,
      alias: props.keyAlias,
      description: `Encrypts the log files of CloudTrail trail ${props.trailName}`,
      ownerAccountId: accountId,
      users: [],
      serviceStatements: [
        {
          sid: 'TrailEncryptsLogFiles',
          principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          actions: ['kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: [
            { test: 'StringEquals', variable: 'aws:SourceArn', values: [props.trailArn] },
            { test: 'StringLike', variable: 'kms:EncryptionContext:aws:cloudtrail:arn', values: [trailsOfThisAccount] },
          ],
        },
        {
          sid: 'TrailDescribesKey',
          principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          actions: ['kms:DescribeKey'],
          resources: ['*'],
          conditions: [{ test: 'StringEquals', variable: 'aws:SourceArn', values: [props.trailArn] }],
        },
        {
          // Readers still need s3:GetObject on the bucket and kms:Decrypt in their own IAM policy.
          sid: 'AccountReadsLogFiles',
          principals: [{ type: 'AWS', identifiers: [accountRootArn(accountId)] }],
          actions: ['kms:Decrypt', 'kms:ReEncryptFrom'],
          resources: ['*'],
          conditions: [{ test: 'StringLike', variable: 'kms:EncryptionContext:aws:cloudtrail:arn', values: [trailsOfThisAccount] }],
        },
        {
          sid: 'TrailLogGroupUsesKey',
          principals: [{ type: 'Service', identifiers: [`logs.${props.region}.amazonaws.com`] }],
          actions: ['kms:Decrypt', 'kms:Describe*', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: [{ test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [props.logGroupArn] }],
        },
      ],
      protect: props.protect,
    });

    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    const onlyThisTrail = [{ test: 'StringEquals', variable: 'aws:SourceArn', values: [props.trailArn] }];
    const bucket = new SecureBucket(this, 'bucket', {
      provider,
      bucketName: props.bucketName,
      keyArn: key.arn,
      // CloudTrail's documented key policy pins the trail's encryption context, which S3 Bucket Keys replace.
      bucketKey: false,
      accessLogs: props.accessLogs,
      statements: [
        {
          sid: 'TrailChecksBucketAcl',
          principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          actions: ['s3:GetBucketAcl'],
          resources: [bucketArn],
          conditions: onlyThisTrail,
        },
        {
          sid: 'TrailWritesLogFiles',
          principals: [{ type: 'Service', identifiers: ['cloudtrail.amazonaws.com'] }],
          actions: ['s3:PutObject'],
          resources: [`${bucketArn}/AWSLogs/${accountId}/*`],
          conditions: [...onlyThisTrail, { test: 'StringEquals', variable: 's3:x-amz-acl', values: ['bucket-owner-full-control'] }],
        },
      ],
      protect: props.protect,
    });

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: key.arn,
    });
    const logsRole = new Role(this, 'logs_role', {
      provider,
      name: props.logsRoleName,
      description: `Lets CloudTrail trail ${props.trailName} write to its log group`,
      trust: {
        kind: 'service',
        service: 'cloudtrail.amazonaws.com',
        withoutSourceConditionsBecause:
          'CloudTrail documents aws:SourceArn for the bucket, key and topic policies it writes through, not for assuming ' +
          'its CloudWatch Logs role; the role can only append to this one log group',
      },
      statements: [
        {
          sid: 'WritesTrailLogStreams',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${props.logGroupArn}:log-stream:*`],
        },
      ],
    });

    const trail = new Cloudtrail(this, 'Default', {
      provider,
      name: props.trailName,
      s3BucketName: bucket.name,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      enableLogging: true,
      kmsKeyId: key.arn,
      cloudWatchLogsGroupArn: `${logGroup.arn}:*`,
      cloudWatchLogsRoleArn: logsRole.arn,
      // Advanced selectors match data events by ARN prefix (basic selectors only by bucket and key prefix):
      // https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
      advancedEventSelector: [
        { name: 'Management events', fieldSelector: [{ field: 'eventCategory', equalTo: ['Management'] }] },
        {
          name: 'Artifact objects of every pipeline',
          fieldSelector: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: [props.dataEventBucketArnPrefix] },
          ],
        },
      ],
      // CloudTrail checks the bucket policy and the role's permissions when the trail is created.
      dependsOn: [bucket.policy, ...(logsRole.permissions ? [logsRole.permissions] : [])],
    });
    this.arn = trail.arn;
    this.bucketName = bucket.name;
    this.keyArn = key.arn;
  }
}
