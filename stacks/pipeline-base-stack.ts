import type { Construct } from 'constructs';
import { deployKindOf } from '../deploy-kinds';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import { ArtifactStore, type ArtifactUsers } from '../modules/artifact-store';
import { AuditTrail } from '../modules/audit-trail';
import { LogBucket } from '../modules/log-bucket';
import { type ExpectedCallers, PipelineAlerts } from '../modules/pipeline-alerts';
import { sourceKindOf } from '../source-kinds';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';

/** The artifact stores' outputs, the source kind's (event bus, connection or source bucket) and the audit's. */
export type PipelineBaseOutput = string;

/** Names of the outputs that locate the artifact store of a region; the pipeline's region keeps unsuffixed names. */
export function artifactStoreOutputs(config: PipelineConfig, region: string) {
  const suffix = region === config.pipeline.account.region ? '' : `_${region.replace(/-/g, '_')}`;
  return {
    bucketName: `artifact_bucket_name${suffix}`,
    bucketArn: `artifact_bucket_arn${suffix}`,
    keyArn: `artifact_key_arn${suffix}`,
  };
}

/**
 * Pipeline account, applied first: the artifact store (key and bucket) of the
 * pipeline's region and one in each other region where targets deploy, all
 * encrypted with one multi-region key and its replicas; what the source
 * kind keeps in the pipeline account (the bus that receives CodeCommit's
 * change events, the connection, or the source bucket); and the account's
 * audit (trail, alerts on unexpected pipeline changes, S3 access logs). Its
 * policies name the other accounts' roles by their deterministic ARNs, so it
 * depends on no stack.
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
    const source = sourceKindOf(config.source);

    const { audit } = config;
    // S3 delivers access logs only within one account and region: the pipeline region's buckets log here.
    const accessLogs = this.logBucket(config, 'access_logs', naming.accessLogBucket, account.region, [
      naming.artifactBucket,
      ...(audit.trail.enabled ? [naming.trailBucket] : []),
      ...source.loggedBuckets(naming, config.source),
    ]);

    const store = new ArtifactStore(this, 'artifact_store', {
      provider: this.provider,
      accountId: account.id,
      bucketName: naming.artifactBucket,
      keyAlias: naming.artifactKeyAlias,
      protect: config.protectStatefulResources,
      accessLogs: accessLogs?.targetFor(naming.artifactBucket),
      key: { kind: 'multi-region-primary' },
      users: [
        { sid: 'Pipeline', accountIds: [account.id], roleArns: [naming.pipelineRoleArn, naming.buildRoleArn], access: 'read-write' },
        ...source.artifactWriters(naming, config.source),
        ...deployers(config, naming, account.region),
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
    this.publishStore(config, account.region, store);

    // CodePipeline copies artifacts into the store of each action's region, as the pipeline role.
    for (const region of naming.extraRegions) {
      const suffix = region.replace(/-/g, '_');
      const bucketName = naming.artifactBucketIn(region);
      // A store in another region logs into a log bucket of that region.
      const regionalLogs = this.logBucket(config, `access_logs_${suffix}`, naming.accessLogBucketIn(region), region, [bucketName]);
      const regional = new ArtifactStore(this, `artifact_store_${suffix}`, {
        provider: this.providerFor(region),
        accountId: account.id,
        bucketName,
        keyAlias: naming.artifactKeyAlias,
        protect: config.protectStatefulResources,
        accessLogs: regionalLogs?.targetFor(bucketName),
        key: { kind: 'replica', primaryKeyArn: store.keyArn },
        users: [
          { sid: 'Pipeline', accountIds: [account.id], roleArns: [naming.pipelineRoleArn], access: 'read-write' },
          ...deployers(config, naming, region),
        ],
      });
      this.publishStore(config, region, regional);
    }

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

    const sourceOutputs = source.base({
      scope: this,
      provider: this.provider,
      config,
      naming,
      source: config.source,
      accessLogsFor: (bucketName) => accessLogs?.targetFor(bucketName),
    });
    for (const output of sourceOutputs) this.publish(output.name, output.value, output.description);
  }

  /** The account's log bucket in one region for the named buckets there, when access logging is on. */
  private logBucket(
    config: PipelineConfig,
    id: string,
    bucketName: string,
    region: string,
    sourceBucketNames: string[],
  ): LogBucket | undefined {
    const { accessLogs } = config.monitoring;
    if (!accessLogs.enabled) return undefined;
    return new LogBucket(this, id, {
      provider: this.providerFor(region),
      bucketName,
      accountId: config.pipeline.account.id,
      sourceBucketNames,
      retentionDays: accessLogs.retentionDays,
      protect: config.protectStatefulResources,
    });
  }

  private publishStore(config: PipelineConfig, region: string, store: ArtifactStore): void {
    const names = artifactStoreOutputs(config, region);
    this.publish(names.bucketName, store.bucket.name, `Name of the pipeline artifact bucket in ${region}`);
    this.publish(names.bucketArn, store.bucket.arn, `ARN of the pipeline artifact bucket in ${region}`);
    this.publish(names.keyArn, store.keyArn, `ARN of the KMS key that encrypts pipeline artifacts in ${region}`);
  }
}

/** The deploy roles of a region whose actions read artifacts (an invoke action, for one, has none). */
function deployers(config: PipelineConfig, naming: Naming, region: string): ArtifactUsers[] {
  const targets = config.targets.filter((t) => t.account.region === region && deployKindOf(t).readsArtifacts);
  if (targets.length === 0) return [];
  return [
    {
      sid: 'Deploy',
      accountIds: targets.map((target) => target.account.id),
      roleArns: targets.map((target) => naming.deployRoleArn(target)),
      access: 'read',
    },
  ];
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
