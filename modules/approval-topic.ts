import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { accountPrincipal, denyInsecureTransport, PolicyDocument, principalArnIs } from './policy-document';

export interface ApprovalTopicProps {
  provider: AwsProvider;
  name: string;
  region: string;
  accountId: string;
  keyArn: string;
  /** Roles that may publish approval requests: the pipeline's role. */
  publisherRoleArns: string[];
  /** Addresses subscribed to approval requests. */
  emails: string[];
}

/** The KMS-encrypted SNS topic that manual approval actions notify, and its e-mail subscribers. */
export class ApprovalTopic extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ApprovalTopicProps) {
    super(scope, id);
    const topicArn = `arn:aws:sns:${props.region}:${props.accountId}:${props.name}`;
    const topic = new SnsTopic(this, 'Default', {
      provider: props.provider,
      name: props.name,
      kmsMasterKeyId: props.keyArn,
    });
    const policy = new PolicyDocument(this, 'policy_document', {
      provider: props.provider,
      statements: [
        {
          sid: 'PipelinePublishes',
          principals: [accountPrincipal(props.accountId)],
          actions: ['sns:Publish'],
          resources: [topicArn],
          conditions: [principalArnIs(props.publisherRoleArns)],
        },
        denyInsecureTransport([topicArn], ['sns:Publish']),
      ],
    });
    new SnsTopicPolicy(this, 'policy', { provider: props.provider, arn: topic.arn, policy: policy.json });
    for (const email of props.emails) {
      new SnsTopicSubscription(this, emailSubscriptionId(email), {
        provider: props.provider,
        topicArn: topic.arn,
        protocol: 'email',
        endpoint: email,
      });
    }
    this.arn = topic.arn;
  }
}

/** `Ops.Team@example.com` → `email_ops_team_example_com`: an address that survives reordering the list. */
export function emailSubscriptionId(email: string): string {
  return `email_${email.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}
