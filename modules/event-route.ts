import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { Role } from './iam-role';

export interface EventRouteProps {
  provider: AwsProvider;
  accountId: string;
  ruleName: string;
  /** ARN the rule will have; the role's trust is pinned to it before it exists. */
  ruleArn: string;
  description: string;
  /** Custom bus to listen on; the account's default bus when omitted. */
  eventBusName?: string;
  eventPattern: Record<string, unknown>;
  /** Where matching events go: another account's bus, or a pipeline. */
  targetArn: string;
  /** The one action the rule's role may call on the target, e.g. `events:PutEvents`. */
  targetAction: string;
  roleName: string;
}

/**
 * An EventBridge rule, its target, and a role that may perform exactly one
 * action on exactly that target. The role trusts EventBridge only for this
 * rule of this account (aws:SourceAccount and aws:SourceArn).
 */
export class EventRoute extends Construct {
  readonly roleArn: string;
  readonly ruleArn: string;

  constructor(scope: Construct, id: string, props: EventRouteProps) {
    super(scope, id);
    const { provider } = props;
    const role = new Role(this, 'role', {
      provider,
      name: props.roleName,
      description: `Lets EventBridge rule ${props.ruleName} call ${props.targetAction} on its target`,
      trust: { kind: 'service', service: 'events.amazonaws.com', sourceAccount: props.accountId, sourceArn: props.ruleArn },
      statements: [{ sid: 'CallTarget', actions: [props.targetAction], resources: [props.targetArn] }],
    });
    const rule = new CloudwatchEventRule(this, 'Default', {
      provider,
      name: props.ruleName,
      description: props.description,
      eventBusName: props.eventBusName,
      eventPattern: Fn.jsonencode(props.eventPattern),
    });
    new CloudwatchEventTarget(this, 'target', {
      provider,
      rule: rule.name,
      eventBusName: props.eventBusName,
      targetId: 'target',
      arn: props.targetArn,
      roleArn: role.arn,
    });
    this.roleArn = role.arn;
    this.ruleArn = rule.arn;
  }
}
