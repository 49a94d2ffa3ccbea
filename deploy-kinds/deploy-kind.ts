import type { CodepipelineStageAction } from '@cdktf/provider-aws/lib/codepipeline';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { DeployKindName, DeployOf, PipelineConfig, TargetOf } from '../lib/config/schema';
import type { Problem } from '../lib/config/problem';
import type { Naming } from '../lib/naming';
import type { BoundaryExtension } from '../modules/permissions-boundary';
import type { Statement } from '../modules/policy-document';

/** A value the target stack publishes for the pipeline stack (a `TerraformOutput`). */
export interface NamedOutput {
  name: string;
  value: string;
  description: string;
}

/** What a kind builds in the target account. */
export interface TargetSideContext<K extends DeployKindName> {
  scope: Construct;
  provider: AwsProvider;
  config: PipelineConfig;
  naming: Naming;
  target: TargetOf<K>;
  /** Named outputs of the target account's foundation stack (the shared deploy key of each region). */
  foundation(name: string): string;
}

export interface TargetSide {
  /** The deploy role's permissions beyond reading artifacts: exactly what this kind's actions touch. */
  deployStatements: Statement[];
  /** Outputs the kind's pipeline actions read (the deploy role ARN is published for every kind). */
  outputs: NamedOutput[];
  /** What roles the configuration grants need beyond the pipeline's services, allowed by the account's boundary. */
  boundary?: BoundaryExtension;
}

/** How the pipeline names the revision it is running, for actions that hand it on. */
export interface SourceRevision {
  type: 'COMMIT_ID' | 'S3_OBJECT_VERSION_ID';
  /** A CodePipeline variable reference such as `#{SourceVariables.CommitId}`. */
  value: string;
}

export interface ActionContext<K extends DeployKindName> {
  target: TargetOf<K>;
  /** One of the kind's `steps`. */
  step: string;
  /** Named outputs of the target's stack. */
  output(name: string): string;
  /** The artifact the build produces; deploy actions read their files from it. */
  buildArtifact: string;
  sourceRevision: SourceRevision;
}

/** The parts of an action a kind decides; name, run order, region and role are common to all kinds. */
export type KindAction = Pick<CodepipelineStageAction, 'category' | 'owner' | 'provider' | 'version' | 'inputArtifacts' | 'configuration'>;

/**
 * One way of deploying into a target account. Everything a kind needs lives
 * in its own file: the configuration it reads, the resources and deploy-role
 * permissions of the target account, the outputs it publishes, and the
 * pipeline actions it contributes. Adding a kind is one file plus one line
 * in `index.ts` (and its schema in lib/config/schema.ts).
 */
export interface DeployKind<K extends DeployKindName> {
  /** Whether the actions read input artifacts, so the deploy role needs the artifact store. */
  readonly readsArtifacts: boolean;
  /**
   * Rules that span fields of one target of this kind (the schema checks each
   * field); paths are relative to the target, e.g. `deploy.taskRoles[0]`.
   */
  problems(target: TargetOf<K>): Problem[];
  /** The actions of one target, in run order, e.g. `['CreateChangeSet', 'ExecuteChangeSet']`. */
  steps(deploy: DeployOf<K>): readonly string[];
  /**
   * For kinds that prepare a change before making it (a CloudFormation change
   * set): the step after which the target's approval runs, inside the deploy
   * stage, so approvers review what will be executed. Undefined: the approval
   * runs in a stage before the deploy stage.
   */
  reviewAfter?(deploy: DeployOf<K>): string | undefined;
  /** What an approval that reviews the prepared change shows: its text and the console link to it. */
  review?(target: TargetOf<K>): { comment: string; url: string };
  provision(context: TargetSideContext<K>): TargetSide;
  action(context: ActionContext<K>): KindAction;
}
