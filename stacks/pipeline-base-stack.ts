import type { Construct } from 'constructs';
import { deployKindOf } from '../deploy-kinds';
import { ArtifactStore } from '../modules/artifact-store';
import { CrossAccountEventBus } from '../modules/cross-account-event-bus';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';

export type PipelineBaseOutput =
  | 'artifact_bucket_name'
  | 'artifact_bucket_arn'
  | 'artifact_key_arn'
  | 'source_event_bus_name'
  | 'source_event_bus_arn';

/**
 * Pipeline account, applied first: the artifact key and bucket, and the bus
 * that receives the repository's change events. Its policies name the other
 * accounts' roles by their deterministic ARNs, so it depends on no stack.
 */
export class PipelineBaseStack extends AccountStack<PipelineBaseOutput> {
  constructor(scope: Construct, { config, naming, backend }: StackContext) {
    const account = config.pipeline.account;
    super(scope, { stackName: naming.pipelineBaseStack, project: config.project, account, providerAlias: 'pipeline', backend });

    // Deploy roles whose actions read artifacts; an invoke action, for one, has none.
    const deployers = config.targets.filter((target) => deployKindOf(target).readsArtifacts);
    const store = new ArtifactStore(this, 'artifact_store', {
      provider: this.provider,
      accountId: account.id,
      bucketName: naming.artifactBucket,
      keyAlias: naming.artifactKeyAlias,
      protect: config.protectStatefulResources,
      users: [
        { sid: 'Pipeline', accountIds: [account.id], roleArns: [naming.pipelineRoleArn, naming.buildRoleArn], access: 'read-write' },
        { sid: 'Source', accountIds: [config.repository.account.id], roleArns: [naming.sourceRoleArn], access: 'read-write' },
        ...(deployers.length > 0
          ? [
              {
                sid: 'Deploy',
                accountIds: deployers.map((target) => target.account.id),
                roleArns: deployers.map((target) => naming.deployRoleArn(target)),
                access: 'read' as const,
              },
            ]
          : []),
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

    const bus = new CrossAccountEventBus(this, 'source_event_bus', {
      provider: this.provider,
      name: naming.sourceEventBus,
      region: account.region,
      accountId: account.id,
      senderAccountId: config.repository.account.id,
      senderRoleArns: [naming.sourceForwarderRoleArn],
    });

    this.publish('artifact_bucket_name', store.bucket.name, 'Name of the pipeline artifact bucket');
    this.publish('artifact_bucket_arn', store.bucket.arn, 'ARN of the pipeline artifact bucket');
    this.publish('artifact_key_arn', store.key.arn, 'ARN of the KMS key that encrypts pipeline artifacts');
    this.publish('source_event_bus_name', bus.name, 'Event bus that receives source change events');
    this.publish('source_event_bus_arn', bus.arn, 'ARN of the event bus that receives source change events');
  }
}
