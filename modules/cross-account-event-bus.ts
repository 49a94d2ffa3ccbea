import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountPrincipal, PolicyDocument, principalArnIs } from './policy-document';

export interface CrossAccountEventBusProps {
  provider: AwsProvider;
  name: string;
  region: string;
  accountId: string;
  /** The only account that may put events on the bus... */
  senderAccountId: string;
  /** ...and, within it, the only roles. */
  senderRoleArns: string[];
}

/** A custom event bus that exactly the named roles of one other account may put events on. */
export class CrossAccountEventBus extends Construct {
  readonly name: string;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: CrossAccountEventBusProps) {
    super(scope, id);
    const bus = new CloudwatchEventBus(this, 'Default', { provider: props.provider, name: props.name });
    const policy = new PolicyDocument(this, 'policy_document', {
      provider: props.provider,
      statements: [
        {
          sid: 'SenderRolesPutEvents',
          principals: [accountPrincipal(props.senderAccountId)],
          actions: ['events:PutEvents'],
          // The bus ARN is known before the bus exists; naming it keeps the policy free of a self-reference.
          resources: [`arn:aws:events:${props.region}:${props.accountId}:event-bus/${props.name}`],
          conditions: [principalArnIs(props.senderRoleArns)],
        },
      ],
    });
    new CloudwatchEventBusPolicy(this, 'policy', {
      provider: props.provider,
      eventBusName: bus.name,
      policy: policy.json,
    });
    this.name = bus.name;
    this.arn = bus.arn;
  }
}
