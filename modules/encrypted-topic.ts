import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import { denyInsecureTransport, PolicyDocument, type Statement } from './policy-document';

/** An AWS service that publishes to the topic on behalf of exactly the named resources. */
export interface TopicPublisher {
  /** Statement id prefix, e.g. `Alarms`. */
  sid: string;
  /** Service principal, e.g. `events.amazonaws.com`. */
  service: string;
  /** The rules or alarms that publish: `aws:SourceArn` pins them. */
  sourceArns: string[];
}

export interface EncryptedTopicProps {
  provider: AwsProvider;
  name: string;
  region: string;
  accountId: string;
  /** The alias of the topic's own key, or `keyArn`: a key shared with other topics (whose policy admits this one). */
  keyAlias?: string;
  keyArn?: string;
  publishers: TopicPublisher[];
  emails: string[];
  protect: boolean;
}

/**
 * An SNS topic encrypted with its own customer-managed key (or with a shared
 * one given by `keyArn`). AWS services may publish only for the named rules or
 * alarms of this account (topic policy: aws:SourceArn and aws:SourceAccount)
 * and use its own key only for this topic (key policy: the SNS encryption
 * context). Publishing requires TLS.
 */
export class EncryptedTopic extends Construct {
  readonly arn: string;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: EncryptedTopicProps) {
    super(scope, id);
    const { provider } = props;
    const topicArn = `arn:aws:sns:${props.region}:${props.accountId}:${props.name}`;
    if ((props.keyAlias === undefined) === (props.keyArn === undefined)) {
      throw new Error(`topic ${props.name}: give either keyAlias (a key of its own) or keyArn (a shared key)`);
    }
    const key = props.keyArn !== undefined ? { arn: props.keyArn } : new CustomerManagedKey(this, 'key', {
      provider,
      alias: props.keyAlias!,
      description: `Encrypts messages of SNS topic ${props.name}`,
      ownerAccountId: props.accountId,
      users: [],
      serviceStatements: props.publishers.map(
        (publisher): Statement => ({
          sid: `${publisher.sid}EncryptForThisTopic`,
          principals: [{ type: 'Service', identifiers: [publisher.service] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: [{ test: 'StringEquals', variable: 'kms:EncryptionContext:aws:sns:topicArn', values: [topicArn] }],
        }),
      ),
      protect: props.protect,
    });
    const topic = new SnsTopic(this, 'Default', { provider, name: props.name, kmsMasterKeyId: key.arn });
    const policy = new PolicyDocument(this, 'policy_document', {
      provider,
      statements: [
        ...props.publishers.map(
          (publisher): Statement => ({
            sid: `${publisher.sid}Publish`,
            principals: [{ type: 'Service', identifiers: [publisher.service] }],
            actions: ['sns:Publish'],
            resources: [topicArn],
            conditions: [
              { test: 'ArnEquals', variable: 'aws:SourceArn', values: publisher.sourceArns },
              { test: 'StringEquals', variable: 'aws:SourceAccount', values: [props.accountId] },
            ],
          }),
        ),
        denyInsecureTransport([topicArn], ['sns:Publish']),
      ],
    });
    new SnsTopicPolicy(this, 'policy', { provider, arn: topic.arn, policy: policy.json });
    for (const email of props.emails) {
      // Named after the address, not its position: reordering the list replaces nothing.
      const id = `email_${email.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
      new SnsTopicSubscription(this, id, { provider, topicArn: topic.arn, protocol: 'email', endpoint: email });
    }
    this.arn = topic.arn;
    this.keyArn = key.arn;
  }
}
