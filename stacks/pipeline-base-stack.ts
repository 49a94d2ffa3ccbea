import type { Construct } from 'constructs';
import { deployKindOf } from '../deploy-kinds';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';
import { ArtifactStore, type ArtifactUsers } from '../modules/artifact-store';
import { sourceKindOf } from '../source-kinds';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';

/** The artifact stores' outputs, plus those of the source kind (event bus, connection or source bucket). */
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
 * Pipeline account, applied first: the artifact store (key and bucket) of the
 * pipeline's region and one in each other region where targets deploy, all
 * encrypted with one multi-region key and its replicas; and what the source
 * kind keeps in the pipeline account (the bus that receives CodeCommit's
 * change events, the connection, or the source bucket). Its policies name
 * the other accounts' roles by their deterministic ARNs, so it depends on
 * no stack.
 */
export class PipelineBaseStack extends AccountStack<PipelineBaseOutput> {
  constructor(scope: Construct, { config, naming, backend }: StackContext) {
    const account = config.pipeline.account;
    super(scope, { stackName: naming.pipelineBaseStack, project: config.project, account, providerAlias: 'pipeline', backend });
    const source = sourceKindOf(config.source);

    const store = new ArtifactStore(this, 'artifact_store', {
      provider: this.provider,
      accountId: account.id,
      bucketName: naming.artifactBucket,
      keyAlias: naming.artifactKeyAlias,
      protect: config.protectStatefulResources,
      key: { kind: 'multi-region-primary' },
      users: [
        { sid: 'Pipeline', accountIds: [account.id], roleArns: [naming.pipelineRoleArn, naming.buildRoleArn], access: 'read-write' },
        ...source.artifactWriters(naming, config.source),
        ...deployers(config, naming, account.region),
      ],
      keyServiceStatements: [
        {
          sid: 'BuildLogGroupUsesKey',
          principals: [{ type: 'Service', identifiers: [`logs.${account.region}.amazonaws.com`] }],
          actions: ['kms:Decrypt', 'kms:Describe*', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
          resources: ['*'],
          conditions: [
            { test: 'ArnEquals', variable: 'kms:EncryptionContext:aws:logs:arn', values: [naming.buildLogGroupArn] },
          ],
        },
      ],
    });
    this.publishStore(config, account.region, store);

    // CodePipeline copies artifacts into the store of each action's region, as the pipeline role.
    for (const region of naming.extraRegions) {
      const regional = new ArtifactStore(this, `artifact_store_${region.replace(/-/g, '_')}`, {
        provider: this.providerFor(region),
        accountId: account.id,
        bucketName: naming.artifactBucketIn(region),
        keyAlias: naming.artifactKeyAlias,
        protect: config.protectStatefulResources,
        key: { kind: 'replica', primaryKeyArn: store.keyArn },
        users: [
          { sid: 'Pipeline', accountIds: [account.id], roleArns: [naming.pipelineRoleArn], access: 'read-write' },
          ...deployers(config, naming, region),
        ],
      });
      this.publishStore(config, region, regional);
    }

    const sourceOutputs = source.base({ scope: this, provider: this.provider, config, naming, source: config.source });
    for (const output of sourceOutputs) this.publish(output.name, output.value, output.description);
  }

  private publishStore(config: PipelineConfig, region: string, store: ArtifactStore): void {
    const names = artifactStoreOutputs(config, region);
    this.publish(names.bucketName, store.bucket.name, `Name of the pipeline artifact bucket in ${region}`);
    this.publish(names.bucketArn, store.bucket.arn, `ARN of the pipeline artifact bucket in ${region}`);
    this.publish(names.keyArn, store.keyArn, `ARN of the KMS key that encrypts pipeline artifacts in ${region}`);
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
