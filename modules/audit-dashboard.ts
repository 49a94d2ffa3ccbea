import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import type { DashboardBody } from '../lib/dashboards';

/** A CloudWatch dashboard whose body is a structured document (`jsonencode` in Terraform, never a serialized string). */
export class AuditDashboard extends Construct {
  constructor(scope: Construct, id: string, props: { provider: AwsProvider; name: string; body: DashboardBody }) {
    super(scope, id);
    new CloudwatchDashboard(this, 'Default', {
      provider: props.provider,
      dashboardName: props.name,
      dashboardBody: Fn.jsonencode(props.body),
    });
  }
}

/**
 * A rule without targets on the pipeline's succeeded executions: CodePipeline
 * publishes no succeeded-executions metric, and EventBridge counts a rule's
 * matches as AWS/Events MatchedEvents per RuleName
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html).
 */
export class SucceededExecutionsRule extends Construct {
  constructor(scope: Construct, id: string, props: { provider: AwsProvider; name: string; pipelineName: string }) {
    super(scope, id);
    new CloudwatchEventRule(this, 'Default', {
      provider: props.provider,
      name: props.name,
      description: `Counts the succeeded executions of ${props.pipelineName} (no target)`,
      eventPattern: Fn.jsonencode({
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change'],
        detail: { pipeline: [props.pipelineName], state: ['SUCCEEDED'] },
      }),
    });
  }
}
