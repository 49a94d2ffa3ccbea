import type { Construct } from 'constructs';
import type { StateBackend } from '../lib/backend';
import type { PlatformConfig } from '../lib/config/schema';
import type { PlatformNaming } from '../lib/naming';
import { platformDashboard } from '../lib/dashboards';
import { AuditDashboard } from '../modules/audit-dashboard';
import { AuditTrail } from '../modules/audit-trail';
import { CrossAccountEventBus } from '../modules/cross-account-event-bus';
import { CustomerManagedKey, ReplicaKey } from '../modules/customer-managed-key';
import { LogBucket } from '../modules/log-bucket';
import { type ExpectedCallers, PipelineAlerts } from '../modules/pipeline-alerts';
import { AccountStack } from './account-stack';

/** The artifact keys of every served region, the source event bus, and the audit's outputs. */
export type PlatformOutput = string;

/** The output with the artifact key of a region: unsuffixed for the tooling region. */
export function artifactKeyOutput(tooling: { region: string }, region: string): string {
  return region === tooling.region ? 'artifact_key_arn' : `artifact_key_arn_${region.replace(/-/g, '_')}`;
}

export interface PlatformStackProps {
  platform: PlatformConfig;
  naming: PlatformNaming;
  backend: StateBackend;
}

/**
 * The tooling account's foundation, shared by every pipeline and applied
 * first: the multi-region artifact key and its replica in each served region,
 * an access-log bucket per served region, the audit trail, the security
 * alerts and the bus that receives CodeCommit's change events from the
 * served accounts. Its policies grant by account and role-name pattern
 * (`<platform>-*`), never by pipeline, so that onboarding a pipeline whose
 * accounts and regions are served changes nothing here (docs/architecture.md).
 */
export class PlatformStack extends AccountStack<PlatformOutput> {
  constructor(scope: Construct, { platform, naming, backend }: PlatformStackProps) {
    const tooling = platform.tooling;
    super(scope, {
      stackName: naming.platformStack,
      platform: platform.name,
      account: tooling,
      providerAlias: 'tooling',
      backend,
      guardrails: platform.guardrails,
    });
    const served = platform.accounts.filter((a) => a.id !== tooling.id);
    const { accessLogs } = platform.monitoring;

    // S3 delivers access logs only within one account and region: one log bucket per served region.
    const logBuckets = new Map<string, LogBucket>();
    if (accessLogs.enabled) {
      for (const region of platform.regions) {
        const suffix = region === tooling.region ? '' : `_${region.replace(/-/g, '_')}`;
        logBuckets.set(
          region,
          new LogBucket(this, `access_logs${suffix}`, {
            provider: this.providerFor(region),
            bucketName: naming.accessLogBucketIn(region),
            accountId: tooling.id,
            // Every bucket of the platform in this account and region: the pipelines' artifact and source buckets, the trail's.
            sourceBucketNames: [`${naming.name}-*`],
            retentionDays: accessLogs.retentionDays,
            protect: platform.protectStatefulResources,
          }),
        );
      }
    }

    // One multi-region key, replicated into every served region: the same key id everywhere, $1 a month per region.
    const keyUsers = (region: string) => [
      {
        // Every role of the platform in the tooling account, and only through S3 (and SNS, for approval topics).
        sid: 'ToolingRolesUseKey',
        accountIds: [tooling.id],
        roleArnPatterns: [naming.rolePattern(tooling.id)],
        viaServices: [`s3.${region}.amazonaws.com`, ...(region === tooling.region ? [`sns.${region}.amazonaws.com`] : [])],
        access: 'encrypt-decrypt' as const,
      },
      ...(served.length > 0
        ? [
            {
              // Source roles write and deploy roles read artifacts; each role's identity policy narrows it to its own buckets.
              sid: 'ServedAccountRolesUseKey',
              accountIds: served.map((a) => a.id),
              roleArnPatterns: served.map((a) => naming.rolePattern(a.id)),
              viaServices: [`s3.${region}.amazonaws.com`],
              access: 'encrypt-decrypt' as const,
            },
          ]
        : []),
    ];
    const keyProps = {
      alias: naming.artifactKeyAlias,
      description: `Encrypts the pipeline artifacts of platform ${naming.name}`,
      ownerAccountId: tooling.id,
      protect: platform.protectStatefulResources,
    };
    const primary = new CustomerManagedKey(this, 'artifact_key', {
      ...keyProps,
      provider: this.provider,
      multiRegion: true,
      users: keyUsers(tooling.region),
      serviceStatements: [
        {
          // Build log groups are encrypted with the key; CloudWatch Logs sends the log group's ARN as encryption context.
          // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
          sid: 'BuildLogGroupsUseKey',
          principals: [{ type: 'Service', identifiers: [`logs.${tooling.region}.amazonaws.com`] }],
          actions: ['kms:Decrypt', 'kms:Describe*', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: [
            { test: 'ArnLike', variable: 'kms:EncryptionContext:aws:logs:arn', values: [naming.buildLogGroupArnPattern(tooling.region)] },
          ],
        },
      ],
    });
    this.publish(artifactKeyOutput(tooling, tooling.region), primary.arn, `ARN of the artifact key in ${tooling.region}`);
    for (const region of platform.regions.filter((r) => r !== tooling.region)) {
      const replica = new ReplicaKey(this, `artifact_key_${region.replace(/-/g, '_')}`, {
        ...keyProps,
        provider: this.providerFor(region),
        primaryKeyArn: primary.arn,
        users: keyUsers(region),
      });
      this.publish(artifactKeyOutput(tooling, region), replica.arn, `ARN of the artifact key in ${region}`);
    }

    if (served.length > 0) {
      // Repository accounts forward CodeCommit's change events here; each pipeline's rule picks its own repository's.
      const bus = new CrossAccountEventBus(this, 'source_event_bus', {
        provider: this.provider,
        name: naming.sourceEventBus,
        region: tooling.region,
        accountId: tooling.id,
        senderAccountIds: served.map((a) => a.id),
        senderRoleArnPatterns: served.map((a) => `arn:aws:iam::${a.id}:role/${naming.name}-*-source-forwarder`),
      });
      this.publish('source_event_bus_name', bus.name, 'Event bus that receives source change events');
      this.publish('source_event_bus_arn', bus.arn, 'ARN of the event bus that receives source change events');
    }

    if (platform.monitoring.notifications.enabled) {
      // One key for every pipeline's failure-notification topic instead of one per pipeline ($1 a month each). The
      // services that publish may use it only for a topic of the platform (SNS sends the topic's ARN as encryption
      // context): https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
      // Which rule or alarm may publish to which topic is each topic's own policy (aws:SourceArn).
      const key = new CustomerManagedKey(this, 'notifications_key', {
        provider: this.provider,
        alias: naming.notificationsKeyAlias,
        description: `Encrypts the failure notifications of every pipeline of platform ${naming.name}`,
        ownerAccountId: tooling.id,
        users: [],
        serviceStatements: [
          { sid: 'FailedExecutionRules', service: 'events.amazonaws.com' },
          { sid: 'FailureAlarms', service: 'cloudwatch.amazonaws.com' },
        ].map(({ sid, service }) => ({
          sid: `${sid}EncryptForPlatformTopics`,
          principals: [{ type: 'Service', identifiers: [service] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: [
            { test: 'ArnLike', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [naming.notificationsTopicArnPattern] },
          ],
        })),
        protect: platform.protectStatefulResources,
      });
      this.publish('notifications_key_arn', key.arn, "ARN of the key of every pipeline's failure-notification topic");
    }

    const { audit } = platform;
    if (audit.trail.enabled) {
      const trail = new AuditTrail(this, 'audit_trail', {
        provider: this.provider,
        accountId: tooling.id,
        region: tooling.region,
        trailName: naming.trail,
        trailArn: naming.trailArn,
        bucketName: naming.trailBucket,
        keyAlias: naming.trailKeyAlias,
        logGroupName: naming.trailLogGroup,
        logGroupArn: naming.trailLogGroupArn,
        logRetentionDays: audit.trail.logRetentionDays,
        logsRoleName: naming.trailLogsRole,
        dataEventBucketArnPrefix: naming.artifactBucketArnPrefix,
        accessLogs: logBuckets.get(tooling.region)?.targetFor(naming.trailBucket),
        protect: platform.protectStatefulResources,
      });
      this.publish('audit_trail_arn', trail.arn, 'CloudTrail trail of the tooling account');
    }

    if (audit.alerts.enabled) {
      const alerts = new PipelineAlerts(this, 'security_alerts', {
        provider: this.provider,
        region: tooling.region,
        accountId: tooling.id,
        topicName: naming.securityAlertsTopic,
        keyAlias: naming.securityAlertsKeyAlias,
        emails: audit.alerts.emails,
        ruleName: (kind) => naming.securityAlertRule(kind),
        ruleArn: (kind) => naming.securityAlertRuleArn(kind),
        alerts: expectedCallers(platform),
        // Each pipeline's approver-group rule and secret-read alarm (named <platform>-<pipeline>-…-alert), by pattern:
        // ArnLike/ArnEquals match each ARN component with wildcards
        // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
        otherPublishers: [
          { sid: 'PipelineAlertRules', service: 'events.amazonaws.com', sourceArns: [naming.pipelineAlertRuleArnPattern] },
          { sid: 'PipelineAlertAlarms', service: 'cloudwatch.amazonaws.com', sourceArns: [naming.pipelineAlertAlarmArnPattern] },
        ],
        protect: platform.protectStatefulResources,
      });
      this.publish('security_alerts_topic_arn', alerts.topicArn, 'Topic that alerts on unexpected pipeline changes');
    }

    // The audit overview (seed 004): metric searches and Logs Insights groupings, so it names no pipeline.
    new AuditDashboard(this, 'audit_dashboard', {
      provider: this.provider,
      name: naming.auditDashboard,
      body: platformDashboard({
        region: tooling.region,
        platform: naming.name,
        trailLogGroup: naming.trailLogGroupOf(audit),
        secretsNamespace: naming.secretsNamespace,
      }),
    });
  }
}

/** Who is expected to make the CodePipeline calls that change or steer the platform's pipelines. */
export function expectedCallers(platform: PlatformConfig): ExpectedCallers[] {
  const { alerts } = platform.audit;
  return [
    {
      kind: 'pipeline-changes',
      description: `Alerts when anyone but Terraform changes or deletes pipelines in account ${platform.tooling.id}`,
      eventNames: ['DeletePipeline', 'UpdatePipeline'],
      expectedRoleArns: [platform.tooling.role, ...alerts.pipelineAdminRoleArns],
    },
    {
      // The pipelines' actions are all AWS-owned: no job worker of this project reports job results.
      kind: 'job-results',
      description: `Alerts on every job result reported to account ${platform.tooling.id}: no action of platform ${platform.name} has a job worker`,
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
