import type { Construct } from 'constructs';
import type { TargetConfig } from '../lib/config/schema';
import { deployKindOf } from '../deploy-kinds';
import { artifactStatements } from '../modules/artifact-store';
import { Role } from '../modules/iam-role';
import { alarmGateStatements } from '../lib/stage-gates';
import type { AccountFoundationStack } from './account-foundation-stack';
import { AccountStack, type RemoteOutputs } from './account-stack';
import type { StackContext } from './context';
import { artifactStoreOutputs, type PipelineBaseStack } from './pipeline-base-stack';

/** `deploy_role_arn` for every kind, plus the outputs of the target's deploy kind. */
export type TargetOutput = string;

/**
 * One target account: what its deploy kind needs there, and the deploy role
 * that the pipeline's role (and only it) assumes to run the kind's actions.
 * The role can read artifacts only if the kind's actions have any.
 */
export class TargetStack extends AccountStack<TargetOutput> {
  readonly target: TargetConfig;

  constructor(
    scope: Construct,
    context: StackContext & { base: PipelineBaseStack; target: TargetConfig; foundation?: AccountFoundationStack },
  ) {
    const { config, naming, backend, target } = context;
    super(scope, {
      stackName: naming.targetStack(target),
      platform: config.platform,
      pipeline: config.name,
      account: target.account,
      providerAlias: target.name,
      backend,
      guardrails: config.guardrails,
    });
    this.target = target;
    const kind = deployKindOf(target);
    // Read only by kinds that use the account's shared resources, so only their stacks depend on it.
    let foundation: RemoteOutputs<string> | undefined;
    const foundationOutput = (name: string) => {
      if (!context.foundation) throw new Error(`target ${target.name}: account ${target.account.id} has no foundation stack`);
      foundation ??= this.readOutputs(context.foundation);
      return foundation.get(name);
    };
    const side = kind.provision({ scope: this, provider: this.provider, config, naming, target, foundation: foundationOutput });
    if (side.boundary) this.extendBoundary(side.boundary);
    const gate = alarmGateStatements(target);
    if (gate.length > 0) this.extendBoundary({ services: ['cloudwatch'], passRoleServices: [] });
    const artifacts = kind.readsArtifacts ? this.readOutputs(context.base) : undefined;
    // The store of the target's own region: CodePipeline hands the action its artifacts there.
    const store = artifactStoreOutputs(config, target.account.region);

    const role = new Role(this, 'deploy_role', {
      provider: this.provider,
      name: naming.deployRole(target),
      description: `Assumed by pipeline ${naming.pipelineName} to deploy into ${target.name} (${target.deploy.kind})`,
      trust: { kind: 'role', roleArn: naming.pipelineRoleArn },
      statements: [
        ...(artifacts
          ? artifactStatements('read', artifacts.get(store.bucketArn), artifacts.get(store.keyArn))
          : []),
        ...side.deployStatements,
        ...gate,
      ],
    });

    this.publish('deploy_role_arn', role.arn, `Role the pipeline assumes to deploy into ${target.name}`);
    for (const output of side.outputs) this.publish(output.name, output.value, output.description);
  }
}
