import type { CodepipelineStageAction, CodepipelineStageOnFailure } from '@cdktf/provider-aws/lib/codepipeline';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import { deployKindOf, type SourceRevision } from '../deploy-kinds';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import { stageGates } from '../lib/stage-gates';
import { type PlannedAction, type PlannedStage, planStages } from '../lib/stage-plan';
import { approvalActionArn } from '../lib/approver-groups';
import { buildEnvironmentVariables } from '../lib/build-secrets';
import { pipelineDashboard } from '../lib/dashboards';
import { ApprovalTopic } from '../modules/approval-topic';
import { ApproverGroups } from '../modules/approver-groups';
import { AuditDashboard, SucceededExecutionsRule } from '../modules/audit-dashboard';
import { buildSecretStatements, SecretReadsMonitor } from '../modules/build-secrets';
import { BuildProject } from '../modules/build-project';
import { Pipeline } from '../modules/pipeline';
import { PipelineNotifications, type PipelineNotificationsProps } from '../modules/pipeline-notifications';
import { type Statement, viaServices } from '../modules/policy-document';
import { sourceKindOf } from '../source-kinds';
import { AccountStack, type RemoteOutputs } from './account-stack';
import type { StackContext } from './context';
import { artifactStoreOutputs, type PipelineBaseStack } from './pipeline-base-stack';
import type { RepositoryStack } from './repository-stack';
import type { TargetOutput, TargetStack } from './target-stack';

export type PipelineOutput =
  | 'pipeline_name'
  | 'pipeline_arn'
  | 'pipeline_role_arn'
  | 'build_project_name'
  | 'notifications_topic_arn';

const SOURCE_ARTIFACT = 'source_output';
const BUILD_ARTIFACT = 'build_output';

/**
 * Pipeline account, applied last: the build project, the approval topic, the
 * V2 pipeline and what starts it (an EventBridge rule or a V2 trigger,
 * depending on the source kind). It reads the role ARNs of every other stack
 * through remote state.
 */
export class PipelineStack extends AccountStack<PipelineOutput> {
  constructor(
    scope: Construct,
    context: StackContext & { base: PipelineBaseStack; repository?: RepositoryStack; targets: TargetStack[] },
  ) {
    const { config, naming, backend } = context;
    const account = config.pipeline.account;
    super(scope, {
      stackName: naming.pipelineStack,
      platform: config.platform,
      pipeline: config.name,
      account,
      providerAlias: 'tooling',
      backend,
      guardrails: config.guardrails,
    });
    const base = this.readOutputs(context.base);
    const repository = context.repository && this.readOutputs(context.repository);
    const targets = new Map(context.targets.map((stack) => [stack.target.name, this.readOutputs(stack)]));
    const artifactBucketArn = base.get('artifact_bucket_arn');
    const artifactKeyArn = base.get('artifact_key_arn');

    const build = new BuildProject(this, 'build', {
      provider: this.provider,
      accountId: account.id,
      projectName: naming.buildProject,
      projectArn: naming.buildProjectArn,
      roleName: naming.buildRole,
      logGroupName: naming.buildLogGroup,
      logGroupArn: naming.buildLogGroupArn,
      logRetentionDays: config.pipeline.build.logRetentionDays,
      image: config.pipeline.build.image,
      computeType: config.pipeline.build.computeType,
      buildspec: config.pipeline.build.buildspec,
      artifactBucketArn,
      keyArn: artifactKeyArn,
      environmentVariables: buildEnvironmentVariables(config.pipeline.build),
      statements: buildSecretStatements(config.pipeline.build, account),
    });

    const sourceKind = sourceKindOf(config.source);
    const source = sourceKind.pipeline({
      scope: this,
      provider: this.provider,
      config,
      naming,
      source: config.source,
      base: (name) => base.get(name),
      repository: repository && ((name) => repository.get(name)),
    });

    const plan = planStages(config);
    const needsApproval = plan.some((stage) => stage.actions.some((a) => a.kind === 'approval'));
    const approvals = needsApproval
      ? new ApprovalTopic(this, 'approval_topic', {
          provider: this.provider,
          name: naming.approvalTopic,
          region: account.region,
          accountId: account.id,
          keyArn: artifactKeyArn,
          publisherRoleArns: [naming.pipelineRoleArn],
          emails: config.pipeline.approvals.emails,
        })
      : undefined;

    const toAction = (planned: PlannedAction): CodepipelineStageAction => {
      switch (planned.kind) {
        case 'source':
          return {
            name: planned.name,
            ...source.action,
            namespace: 'SourceVariables',
            outputArtifacts: [SOURCE_ARTIFACT],
          };
        case 'build':
          return {
            name: planned.name,
            category: 'Build',
            owner: 'AWS',
            provider: 'CodeBuild',
            version: '1',
            namespace: 'BuildVariables',
            inputArtifacts: [SOURCE_ARTIFACT],
            outputArtifacts: [BUILD_ARTIFACT],
            configuration: { ProjectName: build.name },
          };
        case 'approval':
          return approvalAction(planned, approvals!.arn);
        case 'deploy':
          return deployAction(planned, targets.get(planned.target.name)!, sourceKind.revision);
      }
    };

    const statements: Statement[] = [
      ...source.statements,
      { sid: 'RunsBuild', actions: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'], resources: [naming.buildProjectArn] },
    ];
    if (approvals) {
      statements.push(
        { sid: 'NotifiesApprovers', actions: ['sns:Publish'], resources: [approvals.arn] },
        {
          // Publishing to a topic encrypted with a customer key needs the key, here only through SNS:
          // https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
          sid: 'EncryptsApprovalRequests',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: [artifactKeyArn],
          conditions: [viaServices([`sns.${account.region}.amazonaws.com`])],
        },
      );
    }

    const pipeline = new Pipeline(this, 'pipeline', {
      provider: this.provider,
      accountId: account.id,
      name: naming.pipelineName,
      pipelineArn: naming.pipelineArn,
      roleName: naming.pipelineRole,
      artifactStores: [account.region, ...naming.extraRegions].map((region) => {
        const names = artifactStoreOutputs(config, region);
        return { region, bucketName: base.get(names.bucketName), keyArn: base.get(names.keyArn) };
      }),
      stages: plan.map((stage) => ({
        name: stage.name,
        actions: stage.actions.map(toAction),
        onFailure: onFailure(stage.role, config.pipeline.onFailure),
        // Alarm rules run as the target's deploy role, where its alarms are (lib/stage-gates.ts).
        ...stageGates(stage, config.pipeline.onFailure, (target) => targets.get(target.name)!.get('deploy_role_arn')),
      })),
      executionMode: config.pipeline.executionMode,
      triggers: source.triggers,
      variables: config.pipeline.variables.map((v) => ({ name: v.name, defaultValue: v.default, description: v.description })),
      statements,
    });

    if (config.monitoring.notifications.enabled) {
      const notifications = new PipelineNotifications(
        this,
        'notifications',
        failureNotifications(this.provider, config, naming, base.get('notifications_key_arn')),
      );
      this.publish('notifications_topic_arn', notifications.topicArn, 'Topic notified when the pipeline fails');
    }

    addPipelineAudit(this, this.provider, config, naming, plan);
    // The build role reads its secrets and parameters: the boundary must allow those services too.
    const { secrets, parameters } = config.pipeline.build;
    if (secrets.length > 0 || parameters.length > 0) {
      this.extendBoundary({ services: [...(secrets.length ? ['secretsmanager'] : []), ...(parameters.length ? ['ssm'] : [])], passRoleServices: [] });
    }

    this.publish('pipeline_name', pipeline.name, 'Name of the pipeline');
    this.publish('pipeline_arn', pipeline.arn, 'ARN of the pipeline');
    this.publish('pipeline_role_arn', pipeline.roleArn, 'Service role of the pipeline');
    this.publish('build_project_name', build.name, 'CodeBuild project of the Build stage');
  }
}

/**
 * Failure handling by what a stage does: source and build stages only read
 * the source and write new artifacts, so retrying them is safe; a deploy
 * stage rolls back to its last successful run; an approval stage always
 * fails, because a rejection must stop the release.
 */
function onFailure(role: PlannedStage['role'], policy: PipelineConfig['pipeline']['onFailure']): CodepipelineStageOnFailure | undefined {
  const retry = { result: 'RETRY', retryConfiguration: { retryMode: 'FAILED_ACTIONS' } };
  switch (role) {
    case 'source':
      return policy.source === 'retry' ? retry : undefined;
    case 'build':
      return policy.build === 'retry' ? retry : undefined;
    case 'deploy':
      return policy.deploy === 'rollback' ? { result: 'ROLLBACK' } : undefined;
    case 'approval':
      return undefined;
  }
}

/** A manual approval that notifies the topic, with the target's text, review link and timeout. */
function approvalAction(planned: Extract<PlannedAction, { kind: 'approval' }>, topicArn: string): CodepipelineStageAction {
  const { target } = planned;
  const details = typeof target.approval === 'object' ? target.approval : {};
  return {
    name: planned.name,
    category: 'Approval',
    owner: 'AWS',
    provider: 'Manual',
    version: '1',
    ...(planned.runOrder ? { runOrder: planned.runOrder } : {}),
    ...(details.timeoutMinutes ? { timeoutInMinutes: details.timeoutMinutes } : {}),
    configuration: {
      NotificationArn: topicArn,
      CustomData: withGroup(details.comment ?? `Approve the release to ${target.name} (account ${target.account.id})`, planned.group),
      ...(details.reviewUrl ? { ExternalEntityLink: details.reviewUrl } : {}),
    },
  };
}

/** CodePipeline's CustomData holds at most 512 characters: the group is named when it fits. */
function withGroup(text: string, group?: { name: string }): string {
  const named = group ? `${text} [approver group ${group.name}]` : text;
  return named.length <= 512 ? named : text;
}

/** Where failures of the pipeline and its build are reported: one rule and two alarms. */
function failureNotifications(
  provider: AwsProvider,
  config: PipelineConfig,
  naming: Naming,
  keyArn: string,
): PipelineNotificationsProps {
  const { id, region } = config.pipeline.account;
  return {
    provider,
    region,
    accountId: id,
    pipelineName: naming.pipelineName,
    topicName: naming.notificationsTopic,
    keyArn,
    emails: config.monitoring.notifications.emails,
    ruleName: naming.pipelineFailedRule,
    ruleArn: naming.pipelineFailedRuleArn,
    alarms: [
      {
        id: 'failed_executions_alarm',
        name: naming.pipelineFailedAlarm,
        arn: naming.alarmArn(naming.pipelineFailedAlarm),
        description: `An execution of ${naming.pipelineName} failed`,
        namespace: 'AWS/CodePipeline',
        metricName: 'FailedPipelineExecutions',
        dimensions: { PipelineName: naming.pipelineName },
      },
      {
        id: 'failed_builds_alarm',
        name: naming.buildFailedAlarm,
        arn: naming.alarmArn(naming.buildFailedAlarm),
        description: `A build of ${naming.buildProject} failed`,
        namespace: 'AWS/CodeBuild',
        metricName: 'FailedBuilds',
        dimensions: { ProjectName: naming.buildProject },
      },
    ],
    protect: config.protectStatefulResources,
  };
}

/** The kind decides what the action does; every deploy action runs as its target's deploy role, in its region. */
function deployAction(
  planned: Extract<PlannedAction, { kind: 'deploy' }>,
  outputs: RemoteOutputs<TargetOutput>,
  sourceRevision: SourceRevision,
): CodepipelineStageAction {
  const { target } = planned;
  return {
    name: planned.name,
    runOrder: planned.runOrder,
    region: target.account.region,
    roleArn: outputs.get('deploy_role_arn'),
    ...deployKindOf(target).action({
      target,
      step: planned.step,
      output: (name) => outputs.get(name),
      buildArtifact: BUILD_ARTIFACT,
      sourceRevision,
    }),
  };
}

/**
 * The pipeline's share of the audit (seed 004): its dashboard, the read
 * counts and alarm of its build secrets, and its approver groups' policies
 * and alert. All of it lives in the pipeline's own stack, so onboarding a
 * pipeline changes nothing in the platform stack.
 */
function addPipelineAudit(scope: Construct, provider: AwsProvider, config: PipelineConfig, naming: Naming, plan: PlannedStage[]): void {
  const account = config.pipeline.account;
  const alertTopicArn = config.audit.alerts.enabled ? naming.shared.securityAlertsTopicArn : undefined;
  const trailLogGroup = naming.shared.trailLogGroupOf(config.audit);
  const build = config.pipeline.build;

  const secretsMonitored = build.secrets.length > 0 && trailLogGroup !== undefined;
  if (secretsMonitored) {
    new SecretReadsMonitor(scope, 'secret_reads', {
      provider,
      account,
      build,
      trailLogGroupName: trailLogGroup,
      namespace: naming.shared.secretsNamespace,
      readsMetric: naming.secretReadsMetric,
      unexpectedReadsMetric: naming.unexpectedSecretReadsMetric,
      filterNamePrefix: naming.pipelineName,
      buildRoleName: naming.buildRole,
      alarmName: naming.secretReadsAlarm,
      alarmTopicArn: alertTopicArn,
    });
  }

  new SucceededExecutionsRule(scope, 'succeeded_executions', { provider, name: naming.pipelineSucceededRule, pipelineName: naming.pipelineName });
  new AuditDashboard(scope, 'audit_dashboard', {
    provider,
    name: naming.auditDashboard,
    body: pipelineDashboard({
      region: account.region,
      pipelineName: naming.pipelineName,
      buildProject: naming.buildProject,
      succeededRule: naming.pipelineSucceededRule,
      trailLogGroup,
      secrets: secretsMonitored
        ? { namespace: naming.shared.secretsNamespace, readsMetric: naming.secretReadsMetric, unexpectedReadsMetric: naming.unexpectedSecretReadsMetric }
        : undefined,
    }),
  });

  const groupApprovals = plan.flatMap((stage) =>
    stage.actions.flatMap((action) =>
      action.kind === 'approval' && action.group
        ? [
            {
              id: `${action.target.name}_${action.group.name}`.replace(/-/g, '_'),
              policyName: naming.approverPolicy(action.target, action.group.name),
              group: action.group,
              stage: stage.name,
              action: action.name,
              actionArn: approvalActionArn(account, naming.pipelineName, stage.name, action.name),
            },
          ]
        : [],
    ),
  );
  if (groupApprovals.length > 0) {
    new ApproverGroups(scope, 'approver_groups', {
      provider,
      accountId: account.id,
      pipelineName: naming.pipelineName,
      approvals: groupApprovals,
      ruleName: naming.approverAlertRule,
      alertTopicArn,
    });
  }
}
