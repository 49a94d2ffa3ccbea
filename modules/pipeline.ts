import {
  Codepipeline,
  type CodepipelineStageAction,
  type CodepipelineStageBeforeEntry,
  type CodepipelineStageOnFailure,
  type CodepipelineStageOnSuccess,
  type CodepipelineTrigger,
  type CodepipelineVariable,
} from '@cdktf/provider-aws/lib/codepipeline';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { artifactStatements } from './artifact-store';
import { Role } from './iam-role';
import { pascalCase } from '../lib/naming';
import type { Statement } from './policy-document';

export interface PipelineStage {
  name: string;
  actions: CodepipelineStageAction[];
  /** What CodePipeline does when the stage fails; it fails the run when omitted. */
  onFailure?: CodepipelineStageOnFailure;
  /** Conditions a run must meet to enter the stage (V2). */
  beforeEntry?: CodepipelineStageBeforeEntry;
  /** Conditions checked after the stage succeeds (V2). */
  onSuccess?: CodepipelineStageOnSuccess;
}

export interface ArtifactStoreLocation {
  region: string;
  bucketName: string;
  keyArn: string;
}

export interface PipelineProps {
  provider: AwsProvider;
  accountId: string;
  name: string;
  /** ARN the pipeline will have: the role's trust is pinned to it. */
  pipelineArn: string;
  roleName: string;
  /** The artifact store of the pipeline's region first, then one per other region where actions run. */
  artifactStores: ArtifactStoreLocation[];
  stages: PipelineStage[];
  executionMode: 'QUEUED' | 'SUPERSEDED' | 'PARALLEL';
  variables: CodepipelineVariable[];
  /** V2 triggers of connection source actions. */
  triggers: CodepipelineTrigger[];
  /** What the actions need beyond the artifact store and assuming their roles (e.g. start a build). */
  statements: Statement[];
}

/**
 * A V2 pipeline and its service role. The role may assume exactly the roles
 * its actions name (derived from the stages, so a new action cannot be
 * forgotten), use the artifact stores (it copies artifacts into the store of
 * each action's region), and do what `statements` adds.
 */
export class Pipeline extends Construct {
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { provider } = props;
    const [home] = props.artifactStores;
    // Rules of stage conditions run as their role like actions do: the pipeline role assumes it.
    const ruleRoles = props.stages.flatMap((s) => {
      const rules = [s.beforeEntry?.condition.rule, s.onSuccess?.condition.rule].flatMap((r) => (Array.isArray(r) ? r : []));
      return rules.map((rule) => rule.roleArn);
    });
    const actionRoles = [
      ...new Set(
        [...props.stages.flatMap((s) => s.actions.map((a) => a.roleArn)), ...ruleRoles].filter((arn): arn is string => !!arn),
      ),
    ];
    const role = new Role(this, 'role', {
      provider,
      name: props.roleName,
      description: `Service role of pipeline ${props.name}`,
      trust: {
        kind: 'service',
        service: 'codepipeline.amazonaws.com',
        sourceAccount: props.accountId,
        sourceArn: props.pipelineArn,
      },
      statements: [
        ...(actionRoles.length > 0
          ? [{ sid: 'AssumesActionRoles', actions: ['sts:AssumeRole'], resources: actionRoles }]
          : []),
        ...props.artifactStores.flatMap((store) =>
          artifactStatements(
            'read-write',
            `arn:aws:s3:::${store.bucketName}`,
            store.keyArn,
            store === home ? '' : pascalCase(store.region),
          ),
        ),
        ...props.statements,
      ],
    });
    const pipeline = new Codepipeline(this, 'Default', {
      provider,
      name: props.name,
      pipelineType: 'V2',
      executionMode: props.executionMode,
      roleArn: role.arn,
      // A single-region pipeline's store may not name its region; with several, each must.
      artifactStore: props.artifactStores.map((store) => ({
        type: 'S3',
        location: store.bucketName,
        encryptionKey: { type: 'KMS', id: store.keyArn },
        region: props.artifactStores.length > 1 ? store.region : undefined,
      })),
      stage: props.stages.map((s) => ({
        name: s.name,
        action: s.actions,
        onFailure: s.onFailure,
        ...(s.beforeEntry ? { beforeEntry: s.beforeEntry } : {}),
        ...(s.onSuccess ? { onSuccess: s.onSuccess } : {}),
      })),
      variable: props.variables.length > 0 ? props.variables : undefined,
      trigger: props.triggers.length > 0 ? props.triggers : undefined,
    });
    this.name = pipeline.name;
    this.arn = pipeline.arn;
    this.roleArn = role.arn;
  }
}
