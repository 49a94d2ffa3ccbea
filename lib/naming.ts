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
  /** Assumed by Terraform Cloud runs (dynamic credentials); it may only assume the configured Terraform roles. */
  get terraformCloudRole(): string {
    return `${this.project}-terraform-cloud`;
  }

  /** Every IAM role name with the configuration field it derives from, for validation. */
  allRoleNames(): Array<{ name: string; from: string }> {
    return [
      { name: this.pipelineRole, from: 'project' },
      { name: this.buildRole, from: 'project' },
      { name: this.sourceRole, from: 'project' },
      { name: this.sourceForwarderRole, from: 'project' },
      { name: this.pipelineStarterRole, from: 'project' },
      { name: this.terraformCloudRole, from: 'project' },
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
  get repositoryArn(): string {
    const { id, region } = this.config.repository.account;
    return `arn:aws:codecommit:${region}:${id}:${this.config.repository.name}`;
  }
}

export function roleArn(account: Pick<AccountConfig, 'id'>, name: string): string {
  return `arn:aws:iam::${account.id}:role/${name}`;
}

export function accountRootArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
