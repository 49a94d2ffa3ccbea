import type { AccountConfig, DeployOf, PipelineConfig, SourceOf, TargetConfig } from './config/schema';

/**
 * Names of what the platform shares: its foundation stacks and the resources
 * in them. Every name starts with `<platform>-`, the prefix the shared key,
 * bus and log-bucket policies grant by (see docs/architecture.md).
 *
 * Names are deterministic on purpose: a stack can name a role of another
 * account in a key, bucket or trust policy before that role exists (guarded by
 * an `aws:PrincipalArn` condition), which is what keeps the stacks free of
 * cycles. Changing a rule here renames (replaces) real resources.
 */
export class PlatformNaming {
  constructor(private readonly platform: { name: string; tooling: { id: string; region: string } }) {}

  get name(): string {
    return this.platform.name;
  }
  private get tooling() {
    return this.platform.tooling;
  }

  // --- stacks ---------------------------------------------------------------
  readonly platformStack = 'platform';
  /** The foundation of one served account that pipelines deploy into. */
  accountStack(accountName: string): string {
    return `account-${accountName}`;
  }
  readonly terraformCloudBootstrapStack = 'tfc-bootstrap';

  /** `arn:aws:iam::<account>:role/<platform>-*`: every role this platform creates in an account. */
  rolePattern(accountId: string): string {
    return `arn:aws:iam::${accountId}:role/${this.name}-*`;
  }
  /** `arn:aws:s3:::<platform>-*`: every bucket this platform creates (and buckets named for it). */
  get bucketPattern(): string {
    return `arn:aws:s3:::${this.name}-*`;
  }

  // --- tooling account --------------------------------------------------------
  get artifactKeyAlias(): string {
    return `alias/${this.name}-artifacts`;
  }
  get sourceEventBus(): string {
    return `${this.name}-source-events`;
  }
  get sourceEventBusArn(): string {
    return `arn:aws:events:${this.tooling.region}:${this.tooling.id}:event-bus/${this.sourceEventBus}`;
  }
  /** S3 delivers access logs only within one account and region: each served region has its log bucket. */
  accessLogBucketIn(region: string): string {
    return `${this.name}-access-logs-${this.tooling.id}-${region}`;
  }
  /** Artifact buckets are `<platform>-artifacts-<pipeline>-…`: the trail records data events under this prefix. */
  get artifactBucketArnPrefix(): string {
    return `arn:aws:s3:::${this.name}-artifacts-`;
  }
  get trail(): string {
    return `${this.name}-audit`;
  }
  get trailBucket(): string {
    return `${this.name}-audit-trail-${this.tooling.id}-${this.tooling.region}`;
  }
  get trailKeyAlias(): string {
    return `alias/${this.name}-audit-trail`;
  }
  get trailLogGroup(): string {
    return `/aws/cloudtrail/${this.name}-audit`;
  }
  get trailLogsRole(): string {
    return `${this.name}-trail-logs`;
  }
  get securityAlertsTopic(): string {
    return `${this.name}-security-alerts`;
  }
  get securityAlertsKeyAlias(): string {
    return `alias/${this.name}-security-alerts`;
  }
  /** The key of every pipeline's failure-notification topic: its policy names a topic pattern, never a pipeline. */
  get notificationsKeyAlias(): string {
    return `alias/${this.name}-notifications`;
  }
  /** Every pipeline's failure-notification topic (`<platform>-<pipeline>-pipeline-notifications`, Naming.notificationsTopic). */
  get notificationsTopicArnPattern(): string {
    return `arn:aws:sns:${this.tooling.region}:${this.tooling.id}:${this.name}-*-pipeline-notifications`;
  }
  /** One rule per kind of unexpected call, e.g. `acme-alert-pipeline-changes`. */
  securityAlertRule(kind: string): string {
    return `${this.name}-alert-${kind}`;
  }
  /** Assumed by Terraform Cloud runs (dynamic credentials); it may only assume the configured Terraform roles. */
  get terraformCloudRole(): string {
    return `${this.name}-terraform-cloud`;
  }
  get trailArn(): string {
    return `arn:aws:cloudtrail:${this.tooling.region}:${this.tooling.id}:trail/${this.trail}`;
  }
  get trailLogGroupArn(): string {
    return `arn:aws:logs:${this.tooling.region}:${this.tooling.id}:log-group:${this.trailLogGroup}`;
  }
  get securityAlertsTopicArn(): string {
    return `arn:aws:sns:${this.tooling.region}:${this.tooling.id}:${this.securityAlertsTopic}`;
  }
  securityAlertRuleArn(kind: string): string {
    return `arn:aws:events:${this.tooling.region}:${this.tooling.id}:rule/${this.securityAlertRule(kind)}`;
  }
  /** Every pipeline's build log group (`/aws/codebuild/<platform>-<pipeline>-build`) in a region of the tooling account. */
  buildLogGroupArnPattern(region: string): string {
    return `arn:aws:logs:${region}:${this.tooling.id}:log-group:/aws/codebuild/${this.name}-*`;
  }

  /** The platform's audit overview dashboard (it lists no pipeline). */
  get auditDashboard(): string {
    return `${this.name}-audit`;
  }
  /** CloudWatch namespace of the build secrets' read counts. */
  get secretsNamespace(): string {
    return `${this.name}/Secrets`;
  }
  /**
   * Every pipeline's alert rule (`<platform>-<pipeline>-…-alert`): the security topic admits them by this
   * pattern, so that a new pipeline's rule needs no change to the platform stack.
   */
  get pipelineAlertRuleArnPattern(): string {
    return `arn:aws:events:${this.tooling.region}:${this.tooling.id}:rule/${this.name}-*-alert`;
  }
  /** Every pipeline's security alarm (`<platform>-<pipeline>-…-alert`), admitted by the security topic by pattern. */
  get pipelineAlertAlarmArnPattern(): string {
    return `arn:aws:cloudwatch:${this.tooling.region}:${this.tooling.id}:alarm:${this.name}-*-alert`;
  }
  /** The log group with the trail's events in the tooling account: the platform's trail's, or the one configured. */
  trailLogGroupOf(audit: { trail: { enabled: boolean }; existingTrailLogGroup?: string }): string | undefined {
    return audit.trail.enabled ? this.trailLogGroup : audit.existingTrailLogGroup;
  }

  // --- served accounts --------------------------------------------------------
  /** The key of every S3 deploy bucket of the platform in one account and region. */
  get deployKeyAlias(): string {
    return `alias/${this.name}-deploy`;
  }
  /** An account's log bucket in one region, for the deploy buckets there. */
  accountAccessLogBucket(accountId: string, region: string): string {
    return `${this.name}-deploy-logs-${accountId}-${region}`;
  }
}

/**
 * Every physical name and ARN of one pipeline, derived from the platform and
 * pipeline names (`<platform>-<pipeline>-…`); the names the platform shares
 * come from `shared`.
 */
export class Naming {
  readonly shared: PlatformNaming;

  constructor(private readonly config: PipelineConfig) {
    this.shared = new PlatformNaming({ name: config.platform, tooling: config.pipeline.account });
  }

  /** `<platform>-<pipeline>`. */
  private get project(): string {
    return this.config.project;
  }

  // --- stacks ---------------------------------------------------------------
  get pipelineBaseStack(): string {
    return `${this.config.name}-base`;
  }
  get repositoryStack(): string {
    return `${this.config.name}-repository`;
  }
  get pipelineStack(): string {
    return `${this.config.name}-pipeline`;
  }
  targetStack(target: Pick<TargetConfig, 'name'>): string {
    return `${this.config.name}-target-${target.name}`;
  }
  /**
   * The role the Terraform Cloud runs of this pipeline's workspaces assume in
   * each account the pipeline works in (dynamic credentials): one per
   * pipeline and account, so that its trust names only this pipeline's
   * workspaces there and stays the same size however many pipelines the
   * platform has. `-tfc-run` is shorter than `-pipeline`, so the name fits
   * IAM's 64 characters whenever the pipeline role's does.
   */
  get terraformCloudRunRole(): string {
    return `${this.project}-tfc-run`;
  }

  /** Every stack of the pipeline. */
  allStacks(): string[] {
    return [
      this.pipelineBaseStack,
      ...(this.config.source.kind === 'codecommit' ? [this.repositoryStack] : []),
      ...this.config.targets.map((t) => this.targetStack(t)),
      this.pipelineStack,
    ];
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
  /** Assumed by CloudFormation (only) to change the stack of a `cloudformation` target. */
  cloudFormationExecutionRole(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-cfn-${target.name}`;
  }
  /** Assumed by CodeDeploy (only) to shift traffic for an `ecs-blue-green` target. */
  codeDeployRole(target: Pick<TargetConfig, 'name'>): string {
    return `${this.project}-codedeploy-${target.name}`;
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
  /** The pipeline's artifact bucket of a region: the tooling region's, or one where its targets deploy. */
  artifactBucketIn(region: string): string {
    return `${this.config.platform}-artifacts-${this.config.name}-${this.config.pipeline.account.id}-${region}`;
  }
  /** Regions other than the pipeline's where targets deploy: each gets an artifact store, sorted. */
  get extraRegions(): string[] {
    const home = this.config.pipeline.account.region;
    return [...new Set(this.config.targets.map((t) => t.account.region))].filter((r) => r !== home).sort();
  }
  get artifactKeyAlias(): string {
    return this.shared.artifactKeyAlias;
  }
  get sourceEventBus(): string {
    return this.shared.sourceEventBus;
  }
  get startPipelineRule(): string {
    return `${this.project}-start-pipeline`;
  }
  get approvalTopic(): string {
    return `${this.project}-approvals`;
  }
  /** CodeConnections allow 32 characters: `<platform>-<pipeline>-github`. */
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
    return this.shared.accessLogBucketIn(this.config.pipeline.account.region);
  }
  accessLogBucketIn(region: string): string {
    return this.shared.accessLogBucketIn(region);
  }

  get notificationsTopic(): string {
    return `${this.project}-pipeline-notifications`;
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

  get auditDashboard(): string {
    return `${this.project}-audit`;
  }
  /** A rule without targets whose matches count the succeeded executions. */
  get pipelineSucceededRule(): string {
    return `${this.project}-pipeline-succeeded`;
  }
  /** Metric (dimension SecretId) of every read of the build's secrets. */
  get secretReadsMetric(): string {
    return `GetSecretValue-${this.config.name}`;
  }
  /** Metric of the reads of the build's secrets by anyone but the build role. */
  get unexpectedSecretReadsMetric(): string {
    return `UnexpectedGetSecretValue-${this.config.name}`;
  }
  get secretReadsAlarm(): string {
    return `${this.project}-secret-reads-alert`;
  }
  get secretReadsAlarmArn(): string {
    return this.alarmArn(this.secretReadsAlarm);
  }
  /** Alerts on approvals answered outside their approver group. */
  get approverAlertRule(): string {
    return `${this.project}-approvals-alert`;
  }
  get approverAlertRuleArn(): string {
    const { id, region } = this.config.pipeline.account;
    return `arn:aws:events:${region}:${id}:rule/${this.approverAlertRule}`;
  }
  /** The managed policy that lets one approver group answer its approval action of one target. */
  approverPolicy(target: Pick<TargetConfig, 'name'>, group: string): string {
    return `${this.project}-approve-${target.name}-${group}`;
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
  /** The platform's shared key of the target's account and region encrypts the deploy bucket. */
  get deployKeyAlias(): string {
    return this.shared.deployKeyAlias;
  }
  /** The deploy bucket logs into its account's shared log bucket of its region. */
  targetAccessLogBucket(target: Pick<TargetConfig, 'account'>): string {
    return this.shared.accountAccessLogBucket(target.account.id, target.account.region);
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

/**
 * The Terraform Cloud run role of every pipeline stack's workspace, by stack
 * name. The foundation's stacks (platform, account-*) are not in the map:
 * their workspaces assume `PlatformNaming.terraformCloudRole`.
 */
export function terraformCloudRunRoles(pipelines: PipelineConfig[]): Map<string, string> {
  const roles = new Map<string, string>();
  for (const config of pipelines) {
    const naming = new Naming(config);
    for (const stack of naming.allStacks()) roles.set(stack, naming.terraformCloudRunRole);
  }
  return roles;
}

export function roleArn(account: Pick<AccountConfig, 'id'>, name: string): string {
  return `arn:aws:iam::${account.id}:role/${name}`;
}

/**
 * The managed policy that bounds every role of one stack. Named per stack, not
 * per account: several stacks share an account (the platform's and every
 * pipeline's share the tooling account), and each owns its policy without
 * depending on the others.
 */
export function permissionsBoundaryName(platform: string, stackName: string): string {
  return `${platform}-${stackName}-boundary`;
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
