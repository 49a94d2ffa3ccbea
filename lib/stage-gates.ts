import type { CodepipelineStageBeforeEntry, CodepipelineStageOnSuccess } from '@cdktf/provider-aws/lib/codepipeline';
import type { Statement } from '../modules/policy-document';
import type { PipelineConfig, TargetConfig } from './config/schema';
import type { PlannedStage } from './stage-plan';

/**
 * Stage gates: CodePipeline V2 stage conditions built from the targets of a
 * deploy stage (https://docs.aws.amazon.com/codepipeline/latest/userguide/concepts-how-it-works-conditions.html).
 *
 * - A target's `deploymentWindow` becomes an entry condition with a
 *   DeploymentWindow rule: outside the window the rule fails and the run fails
 *   at the stage entry (entry conditions offer FAIL or SKIP; skipping a deploy
 *   would let later stages release what this one never deployed).
 * - A target's `alarms` become an on-success condition with one
 *   CloudWatchAlarm rule per alarm, watched for `waitMinutes` (WaitTime): if
 *   one is in ALARM the stage rolls back to its last successful run, or fails
 *   where rollback is off (on-success conditions offer ROLLBACK or FAIL; stage
 *   rollback is not available in PARALLEL mode, which the configuration rules
 *   already require to use `onFailure.deploy: fail`:
 *   https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback.html).
 *
 * A condition holds at most 5 rules
 * (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_Condition.html);
 * the configuration rules count them per stage.
 */
export const RULES_PER_CONDITION_MAX = 5;

/** What each rule type is, from the rule reference (category Rule, owner AWS, version 1). */
const ruleType = (provider: 'CloudWatchAlarm' | 'DeploymentWindow') => ({ category: 'Rule', owner: 'AWS', provider, version: '1' });

export interface StageGates {
  beforeEntry?: CodepipelineStageBeforeEntry;
  onSuccess?: CodepipelineStageOnSuccess;
}

/** The targets of a deploy stage (each once, in order). */
function stageTargets(stage: PlannedStage): TargetConfig[] {
  const targets: TargetConfig[] = [];
  for (const action of stage.actions) {
    if (action.kind === 'deploy' && !targets.includes(action.target)) targets.push(action.target);
  }
  return targets;
}

/** How many rules each condition of the stage would hold. */
export function ruleCounts(stage: PlannedStage): { beforeEntry: number; onSuccess: number } {
  const targets = stageTargets(stage);
  return {
    beforeEntry: targets.filter((t) => t.deploymentWindow).length,
    onSuccess: targets.reduce((sum, t) => sum + (t.alarms?.names.length ?? 0), 0),
  };
}

/**
 * The conditions of one stage. `ruleRoleOf` names the role a target's alarm
 * rules run as: its deploy role, in the account and region where its alarms
 * are (the pipeline role cannot read another account's alarms). The API
 * documents a rule's roleArn only as "the pipeline role ARN associated with
 * the rule" (API_RuleDeclaration); a rule run as another account's role is
 * not documented. It is the only role that can read those alarms, and if it
 * did not work the rules would fail and the stage roll back or fail, never
 * pass silently (docs/security.md#stage-gates-and-lambda-deploys).
 */
export function stageGates(
  stage: PlannedStage,
  onFailure: PipelineConfig['pipeline']['onFailure'],
  ruleRoleOf: (target: TargetConfig) => string,
): StageGates {
  if (stage.role !== 'deploy') return {};
  const targets = stageTargets(stage);
  const gates: StageGates = {};
  const windows = targets.filter((t) => t.deploymentWindow);
  if (windows.length > 0) {
    gates.beforeEntry = {
      condition: {
        result: 'FAIL',
        rule: windows.map((target) => ({
          name: `Window-${target.name}`,
          ruleTypeId: ruleType('DeploymentWindow'),
          configuration: { Cron: target.deploymentWindow!.cron, TimeZone: target.deploymentWindow!.timeZone },
        })),
      },
    };
  }
  const watched = targets.filter((t) => t.alarms);
  if (watched.length > 0) {
    gates.onSuccess = {
      condition: {
        result: onFailure.deploy === 'rollback' ? 'ROLLBACK' : 'FAIL',
        rule: watched.flatMap((target) =>
          target.alarms!.names.map((alarm, i) => ({
            name: `Alarm-${target.name}-${i + 1}`,
            ruleTypeId: ruleType('CloudWatchAlarm'),
            configuration: { AlarmName: alarm, WaitTime: String(target.alarms!.waitMinutes) },
            region: target.account.region,
            roleArn: ruleRoleOf(target),
          })),
        ),
      },
    };
  }
  return gates;
}

/**
 * What the deploy role needs to evaluate the target's alarm rules: reading
 * exactly those alarms. The CloudWatchAlarm rule reference lists no
 * permissions; DescribeAlarms is the call that returns an alarm's state, and
 * the one CodePipeline's Lambda deploy action documents for the alarms it
 * watches (StatementForCloudWatch, on the alarm ARNs):
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * DescribeAlarms is authorized per alarm ARN (Service Authorization Reference, CloudWatch: resource type alarm).
 */
export function alarmGateStatements(target: TargetConfig): Statement[] {
  if (!target.alarms) return [];
  const { id, region } = target.account;
  return [
    {
      sid: 'ReadsStageGateAlarms',
      actions: ['cloudwatch:DescribeAlarms'],
      resources: target.alarms.names.map((name) => `arn:aws:cloudwatch:${region}:${id}:alarm:${name}`),
    },
  ];
}
