import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { EncryptedTopic } from './encrypted-topic';

/** An alarm on a failure count: it fires when the sum over five minutes is one or more. */
export interface FailureAlarm {
  id: string;
  name: string;
  arn: string;
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export interface PipelineNotificationsProps {
  provider: AwsProvider;
  region: string;
  accountId: string;
  pipelineName: string;
  topicName: string;
  /** The platform's notifications key (shared by every pipeline's topic). */
  keyArn: string;
  emails: string[];
  ruleName: string;
  ruleArn: string;
  alarms: FailureAlarm[];
  protect: boolean;
}

/**
 * Tells people when the pipeline fails: an EventBridge rule on failed
 * executions and CloudWatch alarms on the failure metrics, all publishing to
 * one encrypted topic.
 */
export class PipelineNotifications extends Construct {
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: PipelineNotificationsProps) {
    super(scope, id);
    const { provider } = props;
    const topic = new EncryptedTopic(this, 'topic', {
      provider,
      name: props.topicName,
      region: props.region,
      accountId: props.accountId,
      keyArn: props.keyArn,
      emails: props.emails,
      publishers: [
        { sid: 'FailedExecutionRule', service: 'events.amazonaws.com', sourceArns: [props.ruleArn] },
        { sid: 'FailureAlarms', service: 'cloudwatch.amazonaws.com', sourceArns: props.alarms.map((a) => a.arn) },
      ],
      protect: props.protect,
    });
    const rule = new CloudwatchEventRule(this, 'failed_execution', {
      provider,
      name: props.ruleName,
      description: `Notifies when an execution of ${props.pipelineName} fails`,
      eventPattern: Fn.jsonencode({
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change'],
        detail: { pipeline: [props.pipelineName], state: ['FAILED'] },
      }),
    });
    new CloudwatchEventTarget(this, 'failed_execution_target', {
      provider,
      rule: rule.name,
      targetId: 'notifications',
      arn: topic.arn,
    });
    for (const alarm of props.alarms) {
      new CloudwatchMetricAlarm(this, alarm.id, {
        provider,
        alarmName: alarm.name,
        alarmDescription: alarm.description,
        namespace: alarm.namespace,
        metricName: alarm.metricName,
        dimensions: alarm.dimensions,
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        // No executions means nothing failed.
        treatMissingData: 'notBreaching',
        actionsEnabled: true,
        alarmActions: [topic.arn],
      });
    }
    this.topicArn = topic.arn;
  }
}
