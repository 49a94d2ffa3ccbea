import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus';
import { CloudwatchEventBusPolicy } from '@cdktf/provider-aws/lib/cloudwatch-event-bus-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountPrincipals, PolicyDocument, principalArnLike } from './policy-document';

export interface CrossAccountEventBusProps {
  provider: AwsProvider;
  name: string;
  region: string;
  accountId: string;
  /** The only accounts that may put events on the bus... */
  senderAccountIds: string[];
  /** ...and, within them, the only roles (patterns such as `arn:aws:iam::<account>:role/acme-*-source-forwarder`). */
  senderRoleArnPatterns: string[];
}

/**
 * A custom event bus that the named roles of other accounts may put events
 * on. Roles are matched by name pattern, so the policy grows with the
 * accounts and not with the pipelines whose rules forward to it.
 */
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
          principals: [accountPrincipals(props.senderAccountIds)],
          actions: ['events:PutEvents'],
          // The bus ARN is known before the bus exists; naming it keeps the policy free of a self-reference.
          resources: [`arn:aws:events:${props.region}:${props.accountId}:event-bus/${props.name}`],
          conditions: [principalArnLike(props.senderRoleArnPatterns)],
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
