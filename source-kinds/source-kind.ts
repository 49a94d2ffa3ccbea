import type { CodepipelineStageAction, CodepipelineTrigger } from '@cdktf/provider-aws/lib/codepipeline';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { NamedOutput, SourceRevision } from '../deploy-kinds';
import type { Problem } from '../lib/config/problem';
import type { AccountConfig, PipelineConfig, SourceKindName, SourceOf } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import type { ArtifactUsers } from '../modules/artifact-store';
import type { AccessLogTarget } from '../modules/log-bucket';
import type { Statement } from '../modules/policy-document';

/** Named outputs of a CodeCommit source's repository stack (stacks/repository-stack.ts publishes them). */
export type RepositoryOutput =
  | 'repository_name'
  | 'repository_arn'
  | 'repository_clone_url_http'
  | 'source_role_arn'
  | 'source_forwarder_role_arn';

export interface SourceContext<K extends SourceKindName> {
  scope: Construct;
  /** The pipeline account's provider: source actions run in the pipeline's region. */
  provider: AwsProvider;
  config: PipelineConfig;
  naming: Naming;
  source: SourceOf<K>;
}

export interface SourceBaseContext<K extends SourceKindName> extends SourceContext<K> {
  /** Where a bucket named by `loggedBuckets` sends its access logs; undefined when access logging is off. */
  accessLogsFor(bucketName: string): AccessLogTarget | undefined;
  /** Named outputs of the platform stack (the source event bus). */
  platform(name: string): string;
}

export interface SourcePipelineContext<K extends SourceKindName> extends SourceContext<K> {
  /** Named outputs of the pipeline's base stack. */
  base(name: string): string;
  /** Named outputs of the repository stack, for a source that has one. */
  repository?(name: RepositoryOutput): string;
}

export interface SourcePipelineSide {
  /** The source action; its name and output artifact are common to all kinds. */
  action: Omit<CodepipelineStageAction, 'name' | 'outputArtifacts' | 'namespace'>;
  /** What the pipeline role needs for the action beyond the artifact store. */
  statements: Statement[];
  /** V2 triggers that start the pipeline (connection sources); others start it through EventBridge. */
  triggers: CodepipelineTrigger[];
}

/**
 * One kind of source. As with deploy kinds, everything a kind needs is in
 * its own file: its rules, the pipeline-account resources created before the
 * pipeline, the source action and what starts the pipeline. CodeCommit also
 * has a stack of its own in the repository account (stacks/repository-stack.ts).
 */
export interface SourceKind<K extends SourceKindName> {
  /** How actions that hand on the revision (invoke-pipeline) name it. */
  readonly revision: SourceRevision;
  /** Rules that span the source's fields and the pipeline account; paths are relative to `source`. */
  problems(source: SourceOf<K>, context: { project: string; pipelineAccount: AccountConfig }): Problem[];
  /** Roles of other accounts that write the source artifact into the artifact store. */
  artifactWriters(naming: Naming, source: SourceOf<K>): ArtifactUsers[];
  /**
   * Buckets `base` creates in the tooling account. They log access into the
   * platform's log bucket of the tooling region.
   */
  loggedBuckets(naming: Naming, source: SourceOf<K>): string[];
  /** Tooling-account resources applied before the pipeline (in the pipeline's base stack). */
  base(context: SourceBaseContext<K>): NamedOutput[];
  /** The source action, what the pipeline role needs for it, and what starts the pipeline. */
  pipeline(context: SourcePipelineContext<K>): SourcePipelineSide;
}
