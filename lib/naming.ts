import type { AccountConfig, PipelineConfig, TargetConfig } from './config/schema';

/**
 * Every physical name and ARN the project derives from the configuration.
 *
 * Names are deterministic on purpose: a stack can name a role of another
 * account in a key, bucket or trust policy before that role exists (guarded by
 * an `aws:PrincipalArn` condition), which is what keeps the stacks free of
 * cycles. Changing a rule here renames (replaces) real resources.
 */
export class Naming {
  constructor(private readonly config: PipelineConfig) {}

  private get project(): string {
    return this.config.project;
  }

  // --- stacks ---------------------------------------------------------------
  readonly pipelineBaseStack = 'pipeline-base';
  readonly repositoryStack = 'repository';
  readonly pipelineStack = 'pipeline';
  targetStack(target: Pick<TargetConfig, 'name'>): string {
    return `target-${target.name}`;
  }

  // --- roles ----------------------------------------------------------------
  get pipelineRole(): string {
    return `${this.project}-pipeline`;
  }
  get buildRole(): string {
    return `${this.project}-build`;
  }
  get sourceRole(): string {
    return `${this.project}-source`;
  }
  get sourceForwarderRole(): string {
    return `${this.project}-source-forwarder`;
  }
  get pipelineStarterRole(): string {
    return `${this.project}-pipeline-starter`;
  }
  deployRole(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-deploy-${target.name}`;
  }
  get trailLogsRole(): string {
    return `${this.project}-trail-logs`;
  }

  /** Every IAM role name with the configuration field it derives from, for validation. */
  allRoleNames(): Array<{ name: string; from: string }> {
    return [
      { name: this.pipelineRole, from: 'project' },
      { name: this.buildRole, from: 'project' },
      { name: this.sourceRole, from: 'project' },
      { name: this.sourceForwarderRole, from: 'project' },
      { name: this.pipelineStarterRole, from: 'project' },
      { name: this.trailLogsRole, from: 'project' },
      ...this.config.targets.map((target, i) => ({ name: this.deployRole(target), from: `targets[${i}].name` })),
    ];
  }

  // --- pipeline account -----------------------------------------------------
  get pipelineName(): string {
    return this.project;
  }
  get buildProject(): string {
    return `${this.project}-build`;
  }
  get buildLogGroup(): string {
    return `/aws/codebuild/${this.buildProject}`;
  }
  get artifactBucket(): string {
    const { id, region } = this.config.pipeline.account;
    return `${this.project}-artifacts-${id}-${region}`;
  }
  get artifactKeyAlias(): string {
    return `alias/${this.project}-artifacts`;
  }
  get sourceEventBus(): string {
    return `${this.project}-source-events`;
  }
  get startPipelineRule(): string {
    return `${this.project}-start-pipeline`;
  }
  get approvalTopic(): string {
    return `${this.project}-approvals`;
  }

  get accessLogBucket(): string {
    const { id, region } = this.config.pipeline.account;
    return `${this.project}-access-logs-${id}-${region}`;
  }

  // --- audit and monitoring (pipeline account) --------------------------------
  get trail(): string {
    return `${this.project}-audit`;
  }
  get trailBucket(): string {
    const { id, region } = this.config.pipeline.account;
    return `${this.project}-audit-trail-${id}-${region}`;
  }
  get trailKeyAlias(): string {
    return `alias/${this.project}-audit-trail`;
  }
  get trailLogGroup(): string {
    return `/aws/cloudtrail/${this.project}-audit`;
  }
  get securityAlertsTopic(): string {
    return `${this.project}-security-alerts`;
  }
  get securityAlertsKeyAlias(): string {
    return `alias/${this.project}-security-alerts`;
  }
  /** One rule per kind of unexpected call, e.g. `webapp-alert-pipeline-changes`. */
  securityAlertRule(kind: string): string {
    return `${this.project}-alert-${kind}`;
  }
  get notificationsTopic(): string {
    return `${this.project}-pipeline-notifications`;
  }
  get notificationsKeyAlias(): string {
    return `alias/${this.project}-pipeline-notifications`;
  }
  get pipelineFailedRule(): string {
    return `${this.project}-pipeline-failed`;
  }
  get pipelineFailedAlarm(): string {
    return `${this.project}-pipeline-failed-executions`;
  }
  get buildFailedAlarm(): string {
    return `${this.project}-build-failed`;
  }

  // --- repository account ---------------------------------------------------
  get forwardSourceChangesRule(): string {
    return `${this.project}-forward-source-changes`;
  }

  // --- target accounts ------------------------------------------------------
  deployBucket(target: TargetConfig): string {
    const { id, region } = target.account;
    return target.deploy.bucketName ?? `${this.project}-${target.name}-${id}-${region}`;
  }
  deployKeyAlias(target: Pick<TargetConfig, 'name'>): string {
    return `alias/${this.project}-${target.name}-deploy`;
  }
  targetAccessLogBucket(target: Pick<TargetConfig, 'name' | 'account'>): string {
    const { id, region } = target.account;
    return `${this.project}-${target.name}-logs-${id}-${region}`;
  }

  // --- ARNs -----------------------------------------------------------------
  get pipelineRoleArn(): string {
    return roleArn(this.config.pipeline.account, this.pipelineRole);
  }
  get buildRoleArn(): string {
    return roleArn(this.config.pipeline.account, this.buildRole);
  }
  get pipelineStarterRoleArn(): string {
    return roleArn(this.config.pipeline.account, this.pipelineStarterRole);
  }
  get sourceRoleArn(): string {
    return roleArn(this.config.repository.account, this.sourceRole);
  }
  get sourceForwarderRoleArn(): string {
    return roleArn(this.config.repository.account, this.sourceForwarderRole);
  }
  deployRoleArn(target: TargetConfig): string {
    return roleArn(target.account, this.deployRole(target));
  }
  get pipelineArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:codepipeline:${region}:${id}:${this.pipelineName}`;
  }
  get buildProjectArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:codebuild:${region}:${id}:project/${this.buildProject}`;
  }
  get buildLogGroupArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:logs:${region}:${id}:log-group:${this.buildLogGroup}`;
  }
  get startPipelineRuleArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:events:${region}:${id}:rule/${this.sourceEventBus}/${this.startPipelineRule}`;
  }
  get forwardSourceChangesRuleArn(): string {
    const { id, region } = this.config.repository.account;
    return `arn:aws:events:${region}:${id}:rule/${this.forwardSourceChangesRule}`;
  }
  get trailArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:cloudtrail:${region}:${id}:trail/${this.trail}`;
  }
  get trailLogGroupArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:logs:${region}:${id}:log-group:${this.trailLogGroup}`;
  }
  get securityAlertsTopicArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:sns:${region}:${id}:${this.securityAlertsTopic}`;
  }
  securityAlertRuleArn(kind: string): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:events:${region}:${id}:rule/${this.securityAlertRule(kind)}`;
  }
  get notificationsTopicArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:sns:${region}:${id}:${this.notificationsTopic}`;
  }
  get pipelineFailedRuleArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:events:${region}:${id}:rule/${this.pipelineFailedRule}`;
  }
  alarmArn(alarmName: string): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:cloudwatch:${region}:${id}:alarm:${alarmName}`;
  }
  get repositoryArn(): string {
    const { id, region } = this.config.repository.account;
    return `arn:aws:codecommit:${region}:${id}:${this.config.repository.name}`;
  }
}

export function roleArn(account: Pick<AccountConfig, 'id'>, name: string): string {
  return `arn:aws:iam::${account.id}:role/${name}`;
}

/**
 * The managed policy that bounds every role of one stack. Named per stack, not
 * per account: two stacks may share an account (pipeline-base and pipeline
 * always do), and each owns its policy without depending on the other.
 */
export function permissionsBoundaryName(project: string, stackName: string): string {
  return `${project}-${stackName}-boundary`;
}

export function accountRootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
