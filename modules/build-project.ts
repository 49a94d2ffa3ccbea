import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { artifactStatements } from './artifact-store';
import { Role } from './iam-role';
import type { Statement } from './policy-document';

export interface BuildProjectProps {
  provider: AwsProvider;
  accountId: string;
  projectName: string;
  /** ARN the project will have: the role's trust is pinned to it. */
  projectArn: string;
  roleName: string;
  logGroupName: string;
  logGroupArn: string;
  logRetentionDays: number;
  image: string;
  computeType: string;
  buildspec: string;
  artifactBucketArn: string;
  /** Encrypts the build output, the cache and the log group. */
  keyArn: string;
  /** Variables CodeBuild resolves when a build starts (SECRETS_MANAGER, PARAMETER_STORE): references only, never values. */
  environmentVariables?: Array<{ name: string; type: string; value: string }>;
  /** What the role needs beyond logs and artifacts, e.g. reading exactly the build's secrets. */
  statements?: Statement[];
}

/**
 * A CodeBuild project fed by the pipeline: unprivileged container, output
 * encrypted with the artifact key, logs in a KMS-encrypted log group with
 * retention, and a role limited to that log group and the artifact store.
 */
export class BuildProject extends Construct {
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    super(scope, id);
    const { provider } = props;
    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.keyArn,
    });
    const role = new Role(this, 'role', {
      provider,
      name: props.roleName,
      description: `Runs CodeBuild project ${props.projectName}`,
      trust: {
        kind: 'service',
        service: 'codebuild.amazonaws.com',
        sourceAccount: props.accountId,
        sourceArn: props.projectArn,
      },
      statements: [
        {
          sid: 'WritesBuildLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [props.logGroupArn, `${props.logGroupArn}:*`],
        },
        ...artifactStatements('read-write', props.artifactBucketArn, props.keyArn),
        ...(props.statements ?? []),
      ],
    });
    const project = new CodebuildProject(this, 'Default', {
      provider,
      name: props.projectName,
      description: 'Builds the source for the cross-account pipeline',
      serviceRole: role.arn,
      encryptionKey: props.keyArn,
      buildTimeout: 60,
      artifacts: { type: 'CODEPIPELINE' },
      source: { type: 'CODEPIPELINE', buildspec: props.buildspec },
      environment: {
        type: 'LINUX_CONTAINER',
        image: props.image,
        computeType: props.computeType,
        imagePullCredentialsType: 'CODEBUILD',
        privilegedMode: false,
        ...(props.environmentVariables?.length ? { environmentVariable: props.environmentVariables } : {}),
      },
      logsConfig: {
        cloudwatchLogs: { status: 'ENABLED', groupName: logGroup.name },
        s3Logs: { status: 'DISABLED' },
      },
    });
    this.name = project.name;
    this.arn = project.arn;
    this.roleArn = role.arn;
  }
}
