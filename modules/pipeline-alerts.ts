import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { EncryptedTopic, type TopicPublisher } from './encrypted-topic';

/** CodePipeline API calls that only the named roles are expected to make. */
export interface ExpectedCallers {
  /** Snake-case id of the rule, also the suffix of its name (`pipeline-changes`). */
  kind: string;
  description: string;
  eventNames: string[];
  /** Roles whose calls raise no alert; empty means every call alerts. */
  expectedRoleArns: string[];
}

export interface PipelineAlertsProps {
  provider: AwsProvider;
  region: string;
  accountId: string;
  topicName: string;
  keyAlias: string;
  emails: string[];
  /** Rule name and ARN for one kind of call. */
  ruleName: (kind: string) => string;
  ruleArn: (kind: string) => string;
  alerts: ExpectedCallers[];
  /** Publishers besides this module's rules, e.g. every pipeline's alert rules and alarms by ARN pattern. */
  otherPublishers?: TopicPublisher[];
  protect: boolean;
}

/**
 * Alerts on CodePipeline API calls made by anyone but the expected roles
 * (seed 004): one EventBridge rule per kind of call on the CloudTrail events
 * of the default bus, all publishing to an encrypted security topic. A caller
 * that is not an assumed role at all (an IAM user, the root user) always
 * alerts; an assumed role alerts unless its role is expected.
 */
export class PipelineAlerts extends Construct {
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: PipelineAlertsProps) {
    super(scope, id);
    const { provider } = props;
    const topic = new EncryptedTopic(this, 'topic', {
      provider,
      name: props.topicName,
      region: props.region,
      accountId: props.accountId,
      keyAlias: props.keyAlias,
      emails: props.emails,
      publishers: [
        { sid: 'AlertRules', service: 'events.amazonaws.com', sourceArns: props.alerts.map((a) => props.ruleArn(a.kind)) },
        ...(props.otherPublishers ?? []),
      ],
      protect: props.protect,
    });
    for (const alert of props.alerts) {
      const rule = new CloudwatchEventRule(this, alert.kind.replace(/-/g, '_'), {
        provider,
        name: props.ruleName(alert.kind),
        description: alert.description,
        eventPattern: Fn.jsonencode(unexpectedCallPattern(alert)),
      });
      new CloudwatchEventTarget(this, `${alert.kind.replace(/-/g, '_')}_target`, {
        provider,
        rule: rule.name,
        targetId: 'security-alerts',
        arn: topic.arn,
      });
    }
    this.topicArn = topic.arn;
  }
}

/** The EventBridge pattern of one kind of CodePipeline call by an unexpected caller. */
export function unexpectedCallPattern(alert: ExpectedCallers): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    eventSource: ['codepipeline.amazonaws.com'],
    eventName: alert.eventNames,
  };
  if (alert.expectedRoleArns.length > 0) {
    // anything-but matches only present fields: users and the root user have no session issuer, so match them by type.
    detail.$or = [
      { userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': alert.expectedRoleArns }] } } } },
    ];
  }
  return { source: ['aws.codepipeline'], 'detail-type': ['AWS API Call via CloudTrail'], detail };
}
