import type { AccountConfig, DeployOf, PipelineConfig, SourceOf, TargetConfig } from './config/schema';

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
  /** Assumed by CloudFormation (only) to change the stack of a `cloudformation` target. */
  cloudFormationExecutionRole(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-cfn-${target.name}`;
  }
  /** Assumed by CodeDeploy (only) to shift traffic for an `ecs-blue-green` target. */
  codeDeployRole(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-codedeploy-${target.name}`;
  }
  /** Assumed by Terraform Cloud runs (dynamic credentials); it may only assume the configured Terraform roles. */
  get terraformCloudRole(): string {
    return `${this.project}-terraform-cloud`;
  }

  /** Every IAM role name with the configuration field it derives from, for validation. */
  allRoleNames(): Array<{ name: string; from: string }> {
    return [
      { name: this.pipelineRole, from: 'project' },
      { name: this.buildRole, from: 'project' },
      ...(this.config.source.kind === 'codecommit'
        ? [
            { name: this.sourceRole, from: 'project' },
            { name: this.sourceForwarderRole, from: 'project' },
          ]
        : []),
      // A connection source starts the pipeline through its V2 trigger, not through EventBridge.
      ...(this.config.source.kind !== 'connection' ? [{ name: this.pipelineStarterRole, from: 'project' }] : []),
      { name: this.trailLogsRole, from: 'project' },
      { name: this.terraformCloudRole, from: 'project' },
      ...this.config.targets.flatMap((target, i) => {
        const from = `targets[${i}].name`;
        const roles = [{ name: this.deployRole(target), from }];
        if (target.deploy.kind === 'cloudformation') roles.push({ name: this.cloudFormationExecutionRole(target), from });
        if (target.deploy.kind === 'ecs-blue-green') roles.push({ name: this.codeDeployRole(target), from });
        return roles;
      }),
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
    return this.artifactBucketIn(this.config.pipeline.account.region);
  }
  /** The artifact bucket of a region: the pipeline's, or one where targets deploy. */
  artifactBucketIn(region: string): string {
    return `${this.project}-artifacts-${this.config.pipeline.account.id}-${region}`;
  }
  /** Regions other than the pipeline's where targets deploy: each gets an artifact store, sorted. */
  get extraRegions(): string[] {
    const home = this.config.pipeline.account.region;
    return [...new Set(this.config.targets.map((t) => t.account.region))].filter((r) => r !== home).sort();
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
  /** CodeConnections allow 32 characters: `<project>-github`. */
  sourceConnection(source: Pick<SourceOf<'connection'>, 'provider'>): string {
    return `${this.project}-${source.provider.toLowerCase()}`;
  }
  sourceBucket(source: Pick<SourceOf<'s3'>, 'bucketName'>): string {
    const { id, region } = this.config.pipeline.account;
    return source.bucketName ?? `${this.project}-source-${id}-${region}`;
  }
  get sourceKeyAlias(): string {
    return `alias/${this.project}-source`;
  }

  get accessLogBucket(): string {
    return this.accessLogBucketIn(this.config.pipeline.account.region);
  }
  /** S3 delivers access logs only within one account and region: each artifact store region has its log bucket. */
  accessLogBucketIn(region: string): string {
    return `${this.project}-access-logs-${this.config.pipeline.account.id}-${region}`;
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
  deployBucket(target: Pick<TargetConfig, 'name' | 'account'> & { deploy: Pick<DeployOf<'s3'>, 'bucketName'> }): string {
    const { id, region } = target.account;
    return target.deploy.bucketName ?? `${this.project}-${target.name}-${id}-${region}`;
  }
  codeDeployApplication(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-${target.name}`;
  }
  codeDeployDeploymentGroup(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-${target.name}`;
  }
  /** A predefined configuration for all-at-once, otherwise one named after its shape (e.g. `-linear-10pct-every-2m`). */
  codeDeployDeploymentConfig(target: Pick<TargetConfig, 'name'>, traffic: DeployOf<'ecs-blue-green'>['traffic']): string {
    if (traffic.type === 'all-at-once') return 'CodeDeployDefault.ECSAllAtOnce';
    return `${this.project}-${target.name}-${traffic.type}-${traffic.percentage}pct-every-${traffic.intervalMinutes}m`;
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
    return roleArn(this.codeCommit.account, this.sourceRole);
  }
  get sourceForwarderRoleArn(): string {
    return roleArn(this.codeCommit.account, this.sourceForwarderRole);
  }
  deployRoleArn(target: Pick<TargetConfig, 'name' | 'account'>): string {
    return roleArn(target.account, this.deployRole(target));
  }
  cloudFormationExecutionRoleArn(target: Pick<TargetConfig, 'name' | 'account'>): string {
    return roleArn(target.account, this.cloudFormationExecutionRole(target));
  }
  codeDeployRoleArn(target: Pick<TargetConfig, 'name' | 'account'>): string {
    return roleArn(target.account, this.codeDeployRole(target));
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
  /** The rule listens on the custom bus for CodeCommit events, on the default bus for S3's. */
  get startPipelineRuleArn(): string {
    const { id, region } = this.config.pipeline.account;
    const bus = this.config.source.kind === 'codecommit' ? `${this.sourceEventBus}/` : '';
    return `arn:aws:events:${region}:${id}:rule/${bus}${this.startPipelineRule}`;
  }
  get forwardSourceChangesRuleArn(): string {
    const { id, region } = this.codeCommit.account;
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
    const { id, region } = this.codeCommit.account;
    return `arn:aws:codecommit:${region}:${id}:${this.codeCommit.name}`;
  }

  /** The CodeCommit source; its names exist only when the source is CodeCommit. */
  private get codeCommit(): SourceOf<'codecommit'> {
    if (this.config.source.kind !== 'codecommit') throw new Error(`the source is ${this.config.source.kind}, not codecommit`);
    return this.config.source;
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

/** `us-west-2` → `UsWest2`: statement ids allow only letters and digits. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
