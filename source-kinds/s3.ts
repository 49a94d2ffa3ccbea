import { arnAccount } from '../lib/config/problem';
import type { Problem } from '../lib/config/problem';
import { EventRoute } from '../modules/event-route';
import { KMS_DECRYPT } from '../modules/policy-document';
import { SourceBucket } from '../modules/source-bucket';
import type { SourceKind } from './source-kind';

/**
 * A versioned object in a bucket of the pipeline account (seed 002): each
 * new version starts the pipeline through an EventBridge rule on the
 * account's default bus. The pipeline role may read that one object.
 */
export const s3Source: SourceKind<'s3'> = {
  revision: { type: 'S3_OBJECT_VERSION_ID', value: '#{SourceVariables.VersionId}' },

  problems(source, { pipelineAccount }) {
    const problems: Problem[] = [];
    if (source.create) {
      if (source.uploaders.length === 0) {
        problems.push({ path: 'uploaders', message: 'name the roles that upload the source; the created bucket denies everyone else' });
      }
      source.uploaders.forEach((role, i) => {
        if (arnAccount(role) !== pipelineAccount.id) {
          problems.push({ path: `uploaders[${i}]`, message: `must be a role of the pipeline account ${pipelineAccount.id}` });
        }
      });
      if (source.kmsKeyArn) problems.push({ path: 'kmsKeyArn', message: 'only for an existing bucket; a created bucket gets its own key' });
    } else {
      if (!source.bucketName) problems.push({ path: 'bucketName', message: 'name the existing bucket' });
      if (source.uploaders.length > 0) {
        problems.push({ path: 'uploaders', message: 'only for a created bucket; restrict uploads to an existing bucket in its own policy' });
      }
    }
    return problems;
  },

  artifactWriters: () => [],

  loggedBuckets: (naming, source) => (source.create ? [naming.sourceBucket(source)] : []),

  base({ scope, provider, config, naming, source, accessLogsFor }) {
    if (!source.create) return [];
    const bucket = new SourceBucket(scope, 'source_bucket', {
      provider,
      accountId: config.pipeline.account.id,
      bucketName: naming.sourceBucket(source),
      keyAlias: naming.sourceKeyAlias,
      uploaderRoleArns: source.uploaders,
      readerRoleArns: [naming.pipelineRoleArn],
      accessLogs: accessLogsFor(naming.sourceBucket(source)),
      protect: config.protectStatefulResources,
    });
    return [
      { name: 'source_bucket_name', value: bucket.name, description: 'Bucket the pipeline takes its source object from' },
      { name: 'source_key_arn', value: bucket.keyArn, description: 'KMS key of the source bucket' },
    ];
  },

  pipeline({ scope, provider, config, naming, source, base }) {
    const bucketName = source.create ? base('source_bucket_name') : naming.sourceBucket(source);
    const keyArn = source.create ? base('source_key_arn') : source.kmsKeyArn;
    const bucketArn = `arn:aws:s3:::${naming.sourceBucket(source)}`;
    new EventRoute(scope, 'start_pipeline', {
      provider,
      accountId: config.pipeline.account.id,
      ruleName: naming.startPipelineRule,
      ruleArn: naming.startPipelineRuleArn,
      description: `Starts ${naming.pipelineName} when a new version of s3://${naming.sourceBucket(source)}/${source.objectKey} is stored`,
      eventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [naming.sourceBucket(source)] }, object: { key: [source.objectKey] } },
      },
      targetArn: naming.pipelineArn,
      targetAction: 'codepipeline:StartPipelineExecution',
      roleName: naming.pipelineStarterRole,
    });
    return {
      action: {
        category: 'Source',
        owner: 'AWS',
        provider: 'S3',
        version: '1',
        configuration: {
          S3Bucket: bucketName,
          S3ObjectKey: source.objectKey,
          // The EventBridge rule starts the pipeline; polling would duplicate runs.
          PollForSourceChanges: 'false',
          // A run may not be pointed at another object than the one configured.
          AllowOverrideForS3ObjectKey: 'false',
        },
      },
      statements: [
        { sid: 'ReadsSourceObject', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`${bucketArn}/${source.objectKey}`] },
        { sid: 'ChecksSourceBucket', actions: ['s3:GetBucketLocation', 's3:GetBucketVersioning'], resources: [bucketArn] },
        ...(keyArn ? [{ sid: 'DecryptsSource', actions: KMS_DECRYPT, resources: [keyArn] }] : []),
      ],
      triggers: [],
    };
  },
};
