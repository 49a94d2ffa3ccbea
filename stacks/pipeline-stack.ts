import type { CodepipelineStageAction } from '@cdktf/provider-aws/lib/codepipeline';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { PipelineConfig, TargetConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import { type PlannedAction, planStages } from '../lib/stage-plan';
import { ApprovalTopic } from '../modules/approval-topic';
import { BuildProject } from '../modules/build-project';
import { EventRoute } from '../modules/event-route';
import { Pipeline } from '../modules/pipeline';
import { PipelineNotifications, type PipelineNotificationsProps } from '../modules/pipeline-notifications';
import type { Statement } from '../modules/policy-document';
import { AccountStack, type RemoteOutputs } from './account-stack';
import type { StackContext } from './context';
import type { PipelineBaseStack } from './pipeline-base-stack';
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
 * V2 pipeline and the rule that starts it on the repository's change events.
 * It reads the role ARNs of every other stack through remote state.
 */
export class PipelineStack extends AccountStack<PipelineOutput> {
  constructor(
    scope: Construct,
    context: StackContext & { base: PipelineBaseStack; repository: RepositoryStack; targets: TargetStack[] },
  ) {
    const { config, naming, backend } = context;
    const account = config.pipeline.account;
    super(scope, {
      stackName: naming.pipelineStack,
      project: config.project,
      account,
      providerAlias: 'pipeline',
      backend,
      guardrails: config.guardrails,
    });
    const base = this.readOutputs(context.base);
    const repository = this.readOutputs(context.repository);
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
        })
      : undefined;

    const toAction = (planned: PlannedAction): CodepipelineStageAction => {
      switch (planned.kind) {
        case 'source':
          return {
            name: planned.name,
            category: 'Source',
            owner: 'AWS',
            provider: 'CodeCommit',
            version: '1',
            namespace: 'SourceVariables',
            roleArn: repository.get('source_role_arn'),
            outputArtifacts: [SOURCE_ARTIFACT],
            configuration: {
              RepositoryName: repository.get('repository_name'),
              BranchName: config.repository.branch,
              // The EventBridge rule starts the pipeline; polling would duplicate runs.
              PollForSourceChanges: 'false',
              OutputArtifactFormat: 'CODE_ZIP',
            },
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
          return {
            name: planned.name,
            category: 'Approval',
            owner: 'AWS',
            provider: 'Manual',
            version: '1',
            configuration: {
              NotificationArn: approvals!.arn,
              CustomData: approvalComment(planned.target),
            },
          };
        case 'deploy':
          return s3DeployAction(planned.name, planned.target, targets.get(planned.target.name)!);
      }
    };

    const statements: Statement[] = [
      { sid: 'RunsBuild', actions: ['codebuild:BatchGetBuilds', 'codebuild:StartBuild'], resources: [naming.buildProjectArn] },
    ];
    if (approvals) statements.push({ sid: 'NotifiesApprovers', actions: ['sns:Publish'], resources: [approvals.arn] });

    const pipeline = new Pipeline(this, 'pipeline', {
      provider: this.provider,
      accountId: account.id,
      name: naming.pipelineName,
      pipelineArn: naming.pipelineArn,
      roleName: naming.pipelineRole,
      artifactBucketName: base.get('artifact_bucket_name'),
      artifactKeyArn,
      stages: plan.map((stage) => ({ name: stage.name, actions: stage.actions.map(toAction) })),
      statements,
    });

    new EventRoute(this, 'start_pipeline', {
      provider: this.provider,
      accountId: account.id,
      ruleName: naming.startPipelineRule,
      ruleArn: naming.startPipelineRuleArn,
      description: `Starts ${naming.pipelineName} when ${config.repository.name}@${config.repository.branch} changes`,
      eventBusName: base.get('source_event_bus_name'),
      eventPattern: {
        source: ['aws.codecommit'],
        account: [config.repository.account.id],
        'detail-type': ['CodeCommit Repository State Change'],
        resources: [naming.repositoryArn],
        detail: {
          event: ['referenceCreated', 'referenceUpdated'],
          referenceType: ['branch'],
          referenceName: [config.repository.branch],
        },
      },
      targetArn: naming.pipelineArn,
      targetAction: 'codepipeline:StartPipelineExecution',
      roleName: naming.pipelineStarterRole,
    });

    if (config.monitoring.notifications.enabled) {
      const notifications = new PipelineNotifications(this, 'notifications', failureNotifications(this.provider, config, naming));
      this.publish('notifications_topic_arn', notifications.topicArn, 'Topic notified when the pipeline fails');
    }

    this.publish('pipeline_name', pipeline.name, 'Name of the pipeline');
    this.publish('pipeline_arn', pipeline.arn, 'ARN of the pipeline');
    this.publish('pipeline_role_arn', pipeline.roleArn, 'Service role of the pipeline');
    this.publish('build_project_name', build.name, 'CodeBuild project of the Build stage');
  }
}

function approvalComment(target: TargetConfig): string {
  const custom = typeof target.approval === 'object' ? target.approval.comment : undefined;
  return custom ?? `Approve the release to ${target.name} (account ${target.account.id})`;
}

function s3DeployAction(name: string, target: TargetConfig, outputs: RemoteOutputs<TargetOutput>): CodepipelineStageAction {
  return {
    name,
    category: 'Deploy',
    owner: 'AWS',
    provider: 'S3',
    version: '1',
    region: target.account.region,
    roleArn: outputs.get('deploy_role_arn'),
    inputArtifacts: [BUILD_ARTIFACT],
    configuration: {
      BucketName: outputs.get('deploy_bucket_name'),
      Extract: 'true',
      // With Extract, ObjectKey is the prefix the files land under; empty means the bucket root.
      ...(target.deploy.prefix ? { ObjectKey: target.deploy.prefix } : {}),
      KMSEncryptionKeyARN: outputs.get('deploy_key_arn'),
    },
  };
}

/** Where failures of the pipeline and its build are reported: one rule and two alarms. */
function failureNotifications(provider: AwsProvider, config: PipelineConfig, naming: Naming): PipelineNotificationsProps {
  const { id, region } = config.pipeline.account;
  return {
    provider,
    region,
    accountId: id,
    pipelineName: naming.pipelineName,
    topicName: naming.notificationsTopic,
    keyAlias: naming.notificationsKeyAlias,
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
