import type { Construct } from 'constructs';
import { deployKindOf } from '../deploy-kinds';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import { ArtifactStore, type ArtifactUsers } from '../modules/artifact-store';
import type { AccessLogTarget } from '../modules/log-bucket';
import { sourceKindOf } from '../source-kinds';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';
import { artifactKeyOutput, type PlatformStack } from './platform-stack';

/** The artifact stores' outputs and the source kind's (event bus, connection or source bucket). */
export type PipelineBaseOutput = string;

/** Names of the outputs that locate the artifact store of a region; the pipeline's region keeps unsuffixed names. */
export function artifactStoreOutputs(config: PipelineConfig, region: string) {
  const suffix = region === config.pipeline.account.region ? '' : `_${region.replace(/-/g, '_')}`;
  return {
    bucketName: `artifact_bucket_name${suffix}`,
    bucketArn: `artifact_bucket_arn${suffix}`,
    keyArn: `artifact_key_arn${suffix}`,
  };
}

/**
 * One pipeline's part of the tooling account, applied after the platform: its
 * artifact bucket in the tooling region and in each other region where its
 * targets deploy (each bucket's policy names only this pipeline's roles), and
 * what the source kind keeps in the tooling account (the connection or the
 * source bucket). It passes on the platform's artifact keys and source bus
 * under its own outputs, so the pipeline's other stacks read one producer.
 */
export class PipelineBaseStack extends AccountStack<PipelineBaseOutput> {
  constructor(scope: Construct, context: StackContext & { platform: PlatformStack }) {
    const { config, naming, backend } = context;
    const account = config.pipeline.account;
    super(scope, {
      stackName: naming.pipelineBaseStack,
      platform: config.platform,
      pipeline: config.name,
      account,
      providerAlias: 'tooling',
      backend,
      guardrails: config.guardrails,
    });
    const platform = this.readOutputs(context.platform);
    const source = sourceKindOf(config.source);
    const accessLogsFor = (bucketName: string, region: string): AccessLogTarget | undefined =>
      config.monitoring.accessLogs.enabled ? { bucketName: naming.accessLogBucketIn(region), prefix: `${bucketName}/` } : undefined;

    // CodePipeline copies artifacts into the store of each action's region, as the pipeline role.
    for (const region of [account.region, ...naming.extraRegions]) {
      const home = region === account.region;
      const bucketName = naming.artifactBucketIn(region);
      const keyArn = platform.get(artifactKeyOutput(account, region));
      const store = new ArtifactStore(this, home ? 'artifact_store' : `artifact_store_${region.replace(/-/g, '_')}`, {
        provider: this.providerFor(region),
        accountId: account.id,
        bucketName,
        keyArn,
        protect: config.protectStatefulResources,
        accessLogs: accessLogsFor(bucketName, region),
        users: [
          { sid: 'Pipeline', accountIds: [account.id], roleArns: [naming.pipelineRoleArn, ...(home ? [naming.buildRoleArn] : [])], access: 'read-write' },
          ...(home ? source.artifactWriters(naming, config.source) : []),
          ...deployers(config, naming, region),
        ],
      });
      const names = artifactStoreOutputs(config, region);
      this.publish(names.bucketName, store.bucket.name, `Name of the pipeline artifact bucket in ${region}`);
      this.publish(names.bucketArn, store.bucket.arn, `ARN of the pipeline artifact bucket in ${region}`);
      this.publish(names.keyArn, keyArn, `ARN of the platform's artifact key in ${region}`);
    }

    if (config.monitoring.notifications.enabled) {
      this.publish('notifications_key_arn', platform.get('notifications_key_arn'), "ARN of the platform's notifications key");
    }

    const sourceOutputs = source.base({
      scope: this,
      provider: this.provider,
      config,
      naming,
      source: config.source,
      accessLogsFor: (bucketName) => accessLogsFor(bucketName, account.region),
      platform: (name) => platform.get(name),
    });
    for (const output of sourceOutputs) this.publish(output.name, output.value, output.description);
  }
}

/** The deploy roles of a region whose actions read artifacts (an invoke action, for one, has none). */
function deployers(config: PipelineConfig, naming: Naming, region: string): ArtifactUsers[] {
  const targets = config.targets.filter((t) => t.account.region === region && deployKindOf(t).readsArtifacts);
  if (targets.length === 0) return [];
  return [
    {
      sid: 'Deploy',
      accountIds: targets.map((target) => target.account.id),
      roleArns: targets.map((target) => naming.deployRoleArn(target)),
      access: 'read',
    },
  ];
}
