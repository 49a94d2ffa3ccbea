import type { Construct } from 'constructs';
import type { TargetConfig } from '../lib/config/schema';
import { artifactStatements } from '../modules/artifact-store';
import { Role } from '../modules/iam-role';
import { LogBucket } from '../modules/log-bucket';
import { S3DeployTarget } from '../modules/s3-deploy-target';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';
import type { PipelineBaseStack } from './pipeline-base-stack';

export type TargetOutput = 'deploy_role_arn' | 'deploy_bucket_name' | 'deploy_key_arn';

/**
 * One target account: what is deployed into, and the deploy role that the
 * pipeline's role (and only it) assumes to read artifacts and deploy.
 */
export class TargetStack extends AccountStack<TargetOutput> {
  readonly target: TargetConfig;

  constructor(scope: Construct, context: StackContext & { base: PipelineBaseStack; target: TargetConfig }) {
    const { config, naming, backend, target } = context;
    super(scope, {
      stackName: naming.targetStack(target),
      project: config.project,
      account: target.account,
      providerAlias: target.name,
      backend,
      guardrails: config.guardrails,
    });
    this.target = target;
    const base = this.readOutputs(context.base);
    const deployRoleArn = naming.deployRoleArn(target);

    // S3 server access logs stay in the account and region of the bucket they describe.
    const { accessLogs } = config.monitoring;
    const logBucket = accessLogs.enabled
      ? new LogBucket(this, 'access_logs', {
          provider: this.provider,
          bucketName: naming.targetAccessLogBucket(target),
          accountId: target.account.id,
          sourceBucketNames: [naming.deployBucket(target)],
          retentionDays: accessLogs.retentionDays,
          protect: config.protectStatefulResources,
        })
      : undefined;

    const destination = new S3DeployTarget(this, 'deploy_target', {
      provider: this.provider,
      accountId: target.account.id,
      bucketName: naming.deployBucket(target),
      keyAlias: naming.deployKeyAlias(target),
      prefix: target.deploy.prefix,
      deployRoleArn,
      accessLogs: logBucket?.targetFor(naming.deployBucket(target)),
      protect: config.protectStatefulResources,
    });

    const role = new Role(this, 'deploy_role', {
      provider: this.provider,
      name: naming.deployRole(target),
      description: `Assumed by pipeline ${naming.pipelineName} to deploy into ${target.name}`,
      trust: { kind: 'role', roleArn: naming.pipelineRoleArn },
      statements: [
        ...artifactStatements('read', base.get('artifact_bucket_arn'), base.get('artifact_key_arn')),
        ...destination.deployStatements,
      ],
    });

    this.publish('deploy_role_arn', role.arn, `Role the pipeline assumes to deploy into ${target.name}`);
    this.publish('deploy_bucket_name', destination.bucketName, `Bucket the ${target.name} deploy action writes to`);
    this.publish('deploy_key_arn', destination.keyArn, `KMS key of the ${target.name} deploy bucket`);
  }
}
