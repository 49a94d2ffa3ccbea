import type { AccountConfig, DeployOf } from '../lib/config/schema';
import type { Statement } from '../modules/policy-document';
import type { DeployKind } from './deploy-kind';

// The CodePipeline Lambda deploy action, its configuration and the permissions it needs, from the action reference:
// https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html

/** "Maximum total wait time is 2 days" (action reference, DeployStrategy). */
export const LAMBDA_MAX_TOTAL_WAIT_MINUTES = 2 * 24 * 60;

type Traffic = DeployOf<'lambda'>['traffic'];

/**
 * The action's DeployStrategy: `AllAtOnce`, `Canary10Percent5Minutes` or
 * `Linear10PercentEvery1Minute`, whose "percentage and minutes can be changed"
 * (action reference). Plural minutes follow CodeDeploy's own configuration
 * names (`LambdaLinear10PercentEvery2Minutes`).
 */
export function lambdaDeployStrategy(traffic: Traffic): string {
  if (traffic.type === 'all-at-once') return 'AllAtOnce';
  const minutes = `${traffic.intervalMinutes}Minute${traffic.intervalMinutes === 1 ? '' : 's'}`;
  return traffic.type === 'canary'
    ? `Canary${traffic.percentage}Percent${minutes}`
    : `Linear${traffic.percentage}PercentEvery${minutes}`;
}

/** Minutes the shift waits in total: the one canary interval, or every linear step but the last. */
export function lambdaTotalWaitMinutes(traffic: Traffic): number {
  if (traffic.type === 'all-at-once') return 0;
  if (traffic.type === 'canary') return traffic.intervalMinutes;
  return (Math.ceil(100 / traffic.percentage) - 1) * traffic.intervalMinutes;
}

/** The function and everything qualified by it (its versions and aliases), in the target's account and region. */
export function lambdaFunctionArns(account: Pick<AccountConfig, 'id' | 'region'>, functionName: string) {
  const fn = `arn:aws:lambda:${account.region}:${account.id}:function:${functionName}`;
  return { function: fn, qualified: `${fn}:*` };
}

/** The ARN of an alarm of the target's account and region. */
export function alarmArn(account: Pick<AccountConfig, 'id' | 'region'>, name: string): string {
  return `arn:aws:cloudwatch:${account.region}:${account.id}:alarm:${name}`;
}

/**
 * Publish the build output as a new version of an existing function and move
 * its alias there, all at once or shifting traffic (canary, linear), stopping
 * when a watched alarm fires. The deploy role may touch that function (its
 * versions and aliases) only, read only those alarms, and write only the
 * action's log group.
 */
export const lambdaDeploy: DeployKind<'lambda'> = {
  // The action's one input artifact is the function code: the build output.
  readsArtifacts: true,

  problems(target) {
    const wait = lambdaTotalWaitMinutes(target.deploy.traffic);
    return wait > LAMBDA_MAX_TOTAL_WAIT_MINUTES
      ? [
          {
            path: 'deploy.traffic',
            message: `shifts traffic over ${wait} minutes; the Lambda deploy action waits at most ${LAMBDA_MAX_TOTAL_WAIT_MINUTES} (2 days) in total`,
          },
        ]
      : [];
  },

  steps: () => ['Deploy'],

  provision({ naming, target }) {
    const { deploy, account } = target;
    const arns = lambdaFunctionArns(account, deploy.functionName);
    const logGroup = `arn:aws:logs:${account.region}:${account.id}:log-group:/${account.region}/codepipeline/${naming.pipelineName}`;
    // Exactly the statements of the action reference's "Service role policy permissions", scoped to this function.
    const statements: Statement[] = [
      {
        sid: 'DeploysFunction',
        actions: [
          'lambda:GetAlias',
          'lambda:GetFunctionConfiguration',
          'lambda:GetProvisionedConcurrencyConfig',
          'lambda:PublishVersion',
          'lambda:UpdateAlias',
          'lambda:UpdateFunctionCode',
        ],
        resources: [arns.function, arns.qualified],
      },
      { sid: 'CreatesActionLogGroup', actions: ['logs:CreateLogGroup'], resources: [logGroup, `${logGroup}:*`] },
      { sid: 'WritesActionLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup}:log-stream:*`] },
    ];
    if (deploy.alarms.length > 0) {
      statements.push({
        sid: 'WatchesDeployAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: deploy.alarms.map((name) => alarmArn(account, name)),
      });
    }
    return {
      deployStatements: statements,
      outputs: [],
      boundary: { services: ['lambda', ...(deploy.alarms.length > 0 ? ['cloudwatch'] : [])], passRoleServices: [] },
    };
  },

  action({ target, buildArtifact }) {
    const { deploy } = target;
    return {
      category: 'Deploy',
      owner: 'AWS',
      provider: 'Lambda',
      version: '1',
      inputArtifacts: [buildArtifact],
      configuration: {
        FunctionName: deploy.functionName,
        FunctionAlias: deploy.alias,
        DeployStrategy: lambdaDeployStrategy(deploy.traffic),
        ...(deploy.alarms.length > 0 ? { Alarms: deploy.alarms.join(',') } : {}),
      },
    };
  },
};
