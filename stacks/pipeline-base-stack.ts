import type { Construct } from 'constructs';
import { deployKindOf } from '../deploy-kinds';
import { ArtifactStore } from '../modules/artifact-store';
import { sourceKindOf } from '../source-kinds';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';

/** The artifact store's outputs, plus those of the source kind (event bus, connection or source bucket). */
export type PipelineBaseOutput = string;

/**
 * Pipeline account, applied first: the artifact key and bucket, and what the
 * source kind keeps in the pipeline account (the bus that receives
 * CodeCommit's change events, the connection, or the source bucket). Its
 * policies name the other accounts' roles by their deterministic ARNs, so it
 * depends on no stack.
 */
export class PipelineBaseStack extends AccountStack<PipelineBaseOutput> {
  constructor(scope: Construct, { config, naming, backend }: StackContext) {
    const account = config.pipeline.account;
    super(scope, { stackName: naming.pipelineBaseStack, project: config.project, account, providerAlias: 'pipeline', backend });
    const source = sourceKindOf(config.source);

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
        ...source.artifactWriters(naming, config.source),
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

    this.publish('artifact_bucket_name', store.bucket.name, 'Name of the pipeline artifact bucket');
    this.publish('artifact_bucket_arn', store.bucket.arn, 'ARN of the pipeline artifact bucket');
    this.publish('artifact_key_arn', store.key.arn, 'ARN of the KMS key that encrypts pipeline artifacts');
    const sourceOutputs = source.base({ scope: this, provider: this.provider, config, naming, source: config.source });
    for (const output of sourceOutputs) this.publish(output.name, output.value, output.description);
  }
}
