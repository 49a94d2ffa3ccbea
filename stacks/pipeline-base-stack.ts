import type { Construct } from 'constructs';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import { ArtifactStore } from '../modules/artifact-store';
import { AuditTrail } from '../modules/audit-trail';
import { CrossAccountEventBus } from '../modules/cross-account-event-bus';
import { LogBucket } from '../modules/log-bucket';
import { type ExpectedCallers, PipelineAlerts } from '../modules/pipeline-alerts';
import { AccountStack } from './account-stack';
import { type StackContext, pascalCase } from './context';

export type PipelineBaseOutput =
  | 'artifact_bucket_name'
  | 'artifact_bucket_arn'
  | 'artifact_key_arn'
  | 'source_event_bus_name'
  | 'source_event_bus_arn'
  | 'audit_trail_arn'
  | 'security_alerts_topic_arn';

/**
 * Pipeline account, applied first: the artifact key and bucket, the bus that
 * receives the repository's change events, and the account's audit (trail,
 * alerts on unexpected pipeline changes, S3 access logs). Its policies name
 * the other accounts' roles by their deterministic ARNs, so it depends on no
 * stack.
 */
export class PipelineBaseStack extends AccountStack<PipelineBaseOutput> {
  constructor(scope: Construct, { config, naming, backend }: StackContext) {
    const account = config.pipeline.account;
    super(scope, {
      stackName: naming.pipelineBaseStack,
      project: config.project,
      account,
      providerAlias: 'pipeline',
      backend,
      guardrails: config.guardrails,
    });

    const { audit, monitoring } = config;
    const accessLogs = monitoring.accessLogs.enabled
      ? new LogBucket(this, 'access_logs', {
          provider: this.provider,
          bucketName: naming.accessLogBucket,
          accountId: account.id,
          sourceBucketNames: [naming.artifactBucket, ...(audit.trail.enabled ? [naming.trailBucket] : [])],
          retentionDays: monitoring.accessLogs.retentionDays,
          protect: config.protectStatefulResources,
        })
      : undefined;

    const store = new ArtifactStore(this, 'artifact_store', {
      provider: this.provider,
      accountId: account.id,
      bucketName: naming.artifactBucket,
      keyAlias: naming.artifactKeyAlias,
      protect: config.protectStatefulResources,
      accessLogs: accessLogs?.targetFor(naming.artifactBucket),
      users: [
        { sid: 'Pipeline', accountId: account.id, roleArns: [naming.pipelineRoleArn, naming.buildRoleArn], access: 'read-write' },
        { sid: 'Source', accountId: config.repository.account.id, roleArns: [naming.sourceRoleArn], access: 'read-write' },
        ...config.targets.map((target) => ({
          sid: `Deploy${pascalCase(target.name)}`,
          accountId: target.account.id,
          roleArns: [naming.deployRoleArn(target)],
          access: 'read' as const,
        })),
      ],
      keyServiceStatements: [
        {
          sid: 'BuildLogGroupUsesKey',
          principals: [{ type: 'Service', identifiers: [`logs.${account.region}.amazonaws.com`] }],
          actions: ['kms:Decrypt', 'kms:Describe*', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: [
            { test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [naming.buildLogGroupArn] },
          ],
        },
      ],
    });

    const bus = new CrossAccountEventBus(this, 'source_event_bus', {
      provider: this.provider,
      name: naming.sourceEventBus,
      region: account.region,
      accountId: account.id,
      senderAccountId: config.repository.account.id,
      senderRoleArns: [naming.sourceForwarderRoleArn],
    });

    if (audit.trail.enabled) {
      const trail = new AuditTrail(this, 'audit_trail', {
        provider: this.provider,
        accountId: account.id,
        region: account.region,
        trailName: naming.trail,
        trailArn: naming.trailArn,
        bucketName: naming.trailBucket,
        keyAlias: naming.trailKeyAlias,
        logGroupName: naming.trailLogGroup,
        logGroupArn: naming.trailLogGroupArn,
        logRetentionDays: audit.trail.logRetentionDays,
        logsRoleName: naming.trailLogsRole,
        dataEventBucketArns: [`arn:aws:s3:::${naming.artifactBucket}`],
        accessLogs: accessLogs?.targetFor(naming.trailBucket),
        protect: config.protectStatefulResources,
      });
      this.publish('audit_trail_arn', trail.arn, 'CloudTrail trail of the pipeline account');
    }

    if (audit.alerts.enabled) {
      const alerts = new PipelineAlerts(this, 'security_alerts', {
        provider: this.provider,
        region: account.region,
        accountId: account.id,
        topicName: naming.securityAlertsTopic,
        keyAlias: naming.securityAlertsKeyAlias,
        emails: audit.alerts.emails,
        ruleName: (kind) => naming.securityAlertRule(kind),
        ruleArn: (kind) => naming.securityAlertRuleArn(kind),
        alerts: expectedCallers(config, naming),
        protect: config.protectStatefulResources,
      });
      this.publish('security_alerts_topic_arn', alerts.topicArn, 'Topic that alerts on unexpected pipeline changes');
    }

    this.publish('artifact_bucket_name', store.bucket.name, 'Name of the pipeline artifact bucket');
    this.publish('artifact_bucket_arn', store.bucket.arn, 'ARN of the pipeline artifact bucket');
    this.publish('artifact_key_arn', store.key.arn, 'ARN of the KMS key that encrypts pipeline artifacts');
    this.publish('source_event_bus_name', bus.name, 'Event bus that receives source change events');
    this.publish('source_event_bus_arn', bus.arn, 'ARN of the event bus that receives source change events');
  }
}

/** Who is expected to make the CodePipeline calls that change or steer the pipeline. */
export function expectedCallers(config: PipelineConfig, naming: Naming): ExpectedCallers[] {
  const { alerts } = config.audit;
  return [
    {
      kind: 'pipeline-changes',
      description: `Alerts when anyone but Terraform changes or deletes pipelines in account ${config.pipeline.account.id}`,
      eventNames: ['DeletePipeline', 'UpdatePipeline'],
      expectedRoleArns: [config.pipeline.account.role, ...alerts.pipelineAdminRoleArns],
    },
    {
      // The pipeline's actions are all AWS-owned: no job worker of this project reports job results.
      kind: 'job-results',
      description: `Alerts on every job result reported to ${naming.pipelineName}'s account: no action here has a job worker`,
      eventNames: ['PutJobFailureResult', 'PutJobSuccessResult'],
      expectedRoleArns: [],
    },
    {
      kind: 'approvals',
      description: 'Alerts on approval results given by anyone but the configured approvers',
      eventNames: ['PutApprovalResult'],
      expectedRoleArns: alerts.approverRoleArns,
    },
  ];
}
