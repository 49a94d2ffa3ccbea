import {
  Codepipeline,
  type CodepipelineStageAction,
  type CodepipelineStageOnFailure,
  type CodepipelineTrigger,
  type CodepipelineVariable,
} from '@cdktf/provider-aws/lib/codepipeline';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { artifactStatements } from './artifact-store';
import { Role } from './iam-role';
import type { Statement } from './policy-document';

export interface PipelineStage {
  name: string;
  actions: CodepipelineStageAction[];
  /** What CodePipeline does when the stage fails; it fails the run when omitted. */
  onFailure?: CodepipelineStageOnFailure;
}

export interface PipelineProps {
  provider: AwsProvider;
  accountId: string;
  name: string;
  /** ARN the pipeline will have: the role's trust is pinned to it. */
  pipelineArn: string;
  roleName: string;
  artifactBucketName: string;
  artifactKeyArn: string;
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
 * forgotten), use the artifact store, and do what `statements` adds.
 */
export class Pipeline extends Construct {
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { provider } = props;
    const bucketArn = `arn:aws:s3:::${props.artifactBucketName}`;
    const actionRoles = [
      ...new Set(props.stages.flatMap((s) => s.actions.map((a) => a.roleArn)).filter((arn): arn is string => !!arn)),
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
        ...artifactStatements('read-write', bucketArn, props.artifactKeyArn),
        ...props.statements,
      ],
    });
    const pipeline = new Codepipeline(this, 'Default', {
      provider,
      name: props.name,
      pipelineType: 'V2',
      executionMode: props.executionMode,
      roleArn: role.arn,
      artifactStore: [
        {
          type: 'S3',
          location: props.artifactBucketName,
          encryptionKey: { type: 'KMS', id: props.artifactKeyArn },
        },
      ],
      stage: props.stages.map((s) => ({ name: s.name, action: s.actions, onFailure: s.onFailure })),
      variable: props.variables.length > 0 ? props.variables : undefined,
      trigger: props.triggers.length > 0 ? props.triggers : undefined,
    });
    this.name = pipeline.name;
    this.arn = pipeline.arn;
    this.roleArn = role.arn;
  }
}
