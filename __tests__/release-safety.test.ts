import { lambdaDeployStrategy, lambdaTotalWaitMinutes } from '../deploy-kinds/lambda';
import { cronProblem } from '../lib/config/schema';
import { account, baseConfig, everyKindTargets } from './support/configs';
import { config, policyStatements, problemsOf, shippedConfigs, synthesize, type TerraformJson } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

// The last of everyKindTargets: a Lambda target with a stage gate (two alarms) and a deployment window.
const FUNCTION = 6;
const cfg = config(baseConfig(everyKindTargets()));
const { stacks } = synthesize(cfg);
const pipeline = stacks['rel-pipeline'].resource.aws_codepipeline.pipeline;
const stage = (name: string) => pipeline.stage.find((s: any) => s.name === name);

function output(target: string, name: string): string {
  return `\${data.terraform_remote_state.remote_rel_target_${target}.outputs.${name}}`;
}

function deployRoleStatements(stack: TerraformJson): any[] {
  return stack.data.aws_iam_policy_document.deploy_role_permissions.statement;
}

const raw = () => JSON.parse(JSON.stringify(baseConfig(everyKindTargets())));

describe('the lambda deploy kind', () => {
  it('publishes the build output and shifts the alias with the configured strategy and alarms, as the deploy role', () => {
    expect(stage('Deploy-function').action).toEqual([
      {
        name: 'Deploy-function',
        category: 'Deploy',
        owner: 'AWS',
        provider: 'Lambda',
        version: '1',
        run_order: 1,
        region: 'eu-west-1',
        role_arn: output('function', 'deploy_role_arn'),
        input_artifacts: ['build_output'],
        configuration: {
          FunctionName: 'orders-api',
          FunctionAlias: 'live',
          DeployStrategy: 'Linear25PercentEvery3Minutes',
          Alarms: 'orders-errors',
        },
      },
    ]);
  });

  it('names the deploy strategies as the action reference does', () => {
    expect(lambdaDeployStrategy({ type: 'all-at-once' })).toBe('AllAtOnce');
    expect(lambdaDeployStrategy({ type: 'canary', percentage: 10, intervalMinutes: 5 })).toBe('Canary10Percent5Minutes');
    expect(lambdaDeployStrategy({ type: 'linear', percentage: 10, intervalMinutes: 1 })).toBe('Linear10PercentEvery1Minute');
    expect(lambdaTotalWaitMinutes({ type: 'linear', percentage: 25, intervalMinutes: 3 })).toBe(9);
    expect(lambdaTotalWaitMinutes({ type: 'canary', percentage: 10, intervalMinutes: 30 })).toBe(30);
  });

  it('lets the deploy role touch only that function, its log group and the alarms it watches', () => {
    const statements = deployRoleStatements(stacks['rel-target-function']);
    const fn = 'arn:aws:lambda:eu-west-1:300000000007:function:orders-api';
    const bySid = Object.fromEntries(statements.map((s: any) => [s.sid, s]));
    expect(bySid.DeploysFunction.actions).toEqual([
      'lambda:GetAlias',
      'lambda:GetFunctionConfiguration',
      'lambda:GetProvisionedConcurrencyConfig',
      'lambda:PublishVersion',
      'lambda:UpdateAlias',
      'lambda:UpdateFunctionCode',
    ]);
    expect(bySid.DeploysFunction.resources).toEqual([fn, `${fn}:*`]);
    expect(bySid.WatchesDeployAlarms.resources).toEqual(['arn:aws:cloudwatch:eu-west-1:300000000007:alarm:orders-errors']);
    expect(bySid.WritesActionLogs.resources).toEqual([
      'arn:aws:logs:eu-west-1:300000000007:log-group:/eu-west-1/codepipeline/acme-rel:log-stream:*',
    ]);
    // Nothing of the function beyond deploying it: not its configuration (role, environment), not deleting it.
    const actions = statements.flatMap((s: any) => s.actions);
    expect(actions.filter((a: string) => a.startsWith('lambda:'))).not.toContain('lambda:UpdateFunctionConfiguration');
    expect(actions.filter((a: string) => a.startsWith('lambda:'))).not.toContain('lambda:DeleteFunction');
  });

  it("allows Lambda and CloudWatch in the target account's boundary only where a target needs them", () => {
    const boundary = (stack: string) =>
      stacks[stack].data.aws_iam_policy_document.permissions_boundary_document.statement.find(
        (s: any) => s.sid === 'AllowPipelineServicesAtMost',
      ).actions;
    expect(boundary('rel-target-function')).toEqual(expect.arrayContaining(['lambda:*', 'cloudwatch:*']));
    expect(boundary('rel-target-site')).not.toContain('lambda:*');
    expect(boundary('rel-target-site')).not.toContain('cloudwatch:*');
  });

  it('refuses a traffic shift longer than 2 days, an ARN for a name, a numeric alias and more than 10 alarms', () => {
    const doc = raw();
    doc.targets[FUNCTION].deploy.traffic = { type: 'linear', percentage: 1, intervalMinutes: 30 };
    doc.targets[FUNCTION].deploy.functionName = 'arn:aws:lambda:eu-west-1:300000000007:function:orders-api';
    doc.targets[FUNCTION].deploy.alias = '42';
    doc.targets[FUNCTION].deploy.alarms = Array.from({ length: 11 }, (_, i) => `alarm-${i}`);
    expect(problemsOf(doc).map((p) => p.path)).toEqual([
      `targets[${FUNCTION}].deploy.functionName`,
      `targets[${FUNCTION}].deploy.alias`,
      `targets[${FUNCTION}].deploy.alarms`,
    ]);
    const wait = raw();
    wait.targets[FUNCTION].deploy.traffic = { type: 'linear', percentage: 1, intervalMinutes: 30 };
    expect(problemsOf(wait)).toEqual([
      {
        path: `targets[${FUNCTION}].deploy.traffic`,
        message: 'shifts traffic over 2970 minutes; the Lambda deploy action waits at most 2880 (2 days) in total',
      },
    ]);
  });
});

describe('stage gates', () => {
  it('gates the deploy stage on its deployment window: outside it the run fails at the entry', () => {
    expect(stage('Deploy-function').before_entry).toEqual({
      condition: {
        result: 'FAIL',
        rule: [
          {
            name: 'Window-function',
            rule_type_id: { category: 'Rule', owner: 'AWS', provider: 'DeploymentWindow', version: '1' },
            configuration: { Cron: '0 0 8-17 ? * MON-FRI *', TimeZone: 'Europe/Dublin' },
          },
        ],
      },
    });
  });

  it('watches each alarm after the deploy as the deploy role, in its region, and rolls the stage back when one fires', () => {
    expect(stage('Deploy-function').on_success).toEqual({
      condition: {
        result: 'ROLLBACK',
        rule: ['orders-errors', 'orders-latency'].map((alarm, i) => ({
          name: `Alarm-function-${i + 1}`,
          rule_type_id: { category: 'Rule', owner: 'AWS', provider: 'CloudWatchAlarm', version: '1' },
          configuration: { AlarmName: alarm, WaitTime: '15' },
          region: 'eu-west-1',
          role_arn: output('function', 'deploy_role_arn'),
        })),
      },
    });
  });

  it('leaves stages without alarms or windows ungated', () => {
    for (const s of pipeline.stage.filter((s: any) => s.name !== 'Deploy-function')) {
      expect(s.before_entry).toBeUndefined();
      expect(s.on_success).toBeUndefined();
    }
  });

  it('fails instead of rolling back where rollback is off (PARALLEL mode needs onFailure.deploy: fail)', () => {
    const base = baseConfig(everyKindTargets().slice(FUNCTION));
    const parallel = config({ ...base, pipeline: { ...base.pipeline, executionMode: 'PARALLEL', onFailure: { deploy: 'fail' } } });
    const gated = synthesize(parallel).stacks['rel-pipeline'].resource.aws_codepipeline.pipeline.stage.find(
      (s: any) => s.name === 'Deploy-function',
    );
    expect(gated.on_success.condition.result).toBe('FAIL');
    expect(gated.on_failure).toBeUndefined();
  });

  it('lets the deploy role read exactly the gated alarms, and the pipeline role assume it to run the rules', () => {
    const gate = deployRoleStatements(stacks['rel-target-function']).find((s: any) => s.sid === 'ReadsStageGateAlarms');
    expect(gate).toEqual(
      expect.objectContaining({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [
          'arn:aws:cloudwatch:eu-west-1:300000000007:alarm:orders-errors',
          'arn:aws:cloudwatch:eu-west-1:300000000007:alarm:orders-latency',
        ],
      }),
    );
    for (const stack of ['rel-target-site', 'rel-target-stack']) {
      expect(deployRoleStatements(stacks[stack]).flatMap((s: any) => s.actions)).not.toContain('cloudwatch:DescribeAlarms');
    }
    const policy = stacks['rel-pipeline'].resource.aws_iam_role_policy.pipeline_role_policy;
    const assume = policyStatements(stacks['rel-pipeline'], policy.policy).find((s) => s.sid === 'AssumesActionRoles');
    expect(assume.resources).toContain(output('function', 'deploy_role_arn'));
  });

  it('puts alarms, a deployment window and a Lambda target in the release-safety example', () => {
    const [safety] = shippedConfigs()['config/examples/release-safety.yaml'].pipelines;
    expect(safety.targets.some((t) => t.deploy.kind === 'lambda')).toBe(true);
    expect(safety.targets.some((t) => t.alarms)).toBe(true);
    expect(safety.targets.some((t) => t.deploymentWindow)).toBe(true);
  });
});

describe('stage gate configuration', () => {
  it('reads cron expressions as the DeploymentWindow rule does', () => {
    expect(cronProblem('0 0 9-17 ? * MON-FRI *')).toBeUndefined();
    expect(cronProblem('* 0/15 8-18 ? JAN-NOV 2-6')).toBeUndefined();
    expect(cronProblem('0 0 9 L * ?')).toBeUndefined();
    expect(cronProblem('0 0 9 ? * 6#3 2030')).toBeUndefined();
    expect(cronProblem('0 9-17 * * MON-FRI')).toMatch(/6 fields and an optional year.*got 5/);
    expect(cronProblem('0 0 24 ? * MON-FRI')).toMatch(/^hours "24"/);
    expect(cronProblem('0 0 9-17 ? * MON-FUN')).toMatch(/^day-of-week "MON-FUN"/);
    expect(cronProblem('5 0 9-17 ? * MON-FRI')).toMatch(/^seconds "5"/);
    expect(cronProblem('0 0 9-17 * * MON-FRI')).toMatch(/one of day-of-month and day-of-week must be "\?"/);
  });

  it('refuses a bad cron, an ambiguous time zone, alarm wildcards and commas, and bake times out of range, by field', () => {
    const doc = raw();
    doc.targets[FUNCTION].deploymentWindow = { cron: '0 9-17 * * MON-FRI', timeZone: 'CST' };
    doc.targets[FUNCTION].alarms = { names: ['orders-*', 'a,b'], waitMinutes: 0 };
    const problems = problemsOf(doc);
    expect(problems.map((p) => p.path)).toEqual([
      `targets[${FUNCTION}].alarms.names[0]`,
      `targets[${FUNCTION}].alarms.names[1]`,
      `targets[${FUNCTION}].alarms.waitMinutes`,
      `targets[${FUNCTION}].deploymentWindow.cron`,
      `targets[${FUNCTION}].deploymentWindow.timeZone`,
    ]);
    expect(problems[4].message).toContain('abbreviations such as CST are ambiguous');
  });

  it('accepts Region/City zones and UTC offsets, defaulting to UTC', () => {
    for (const timeZone of ['America/New_York', 'UTC+05:30', 'UTC-03:00']) {
      const doc = raw();
      doc.targets[FUNCTION].deploymentWindow = { cron: '0 0 9-17 ? * MON-FRI *', timeZone };
      expect(() => config(doc)).not.toThrow();
    }
    const doc = raw();
    doc.targets[FUNCTION].deploymentWindow = { cron: '0 0 9-17 ? * MON-FRI *' };
    expect(config(doc).pipelines[0].targets[FUNCTION].deploymentWindow?.timeZone).toBe('UTC');
    doc.targets[FUNCTION].deploymentWindow.timeZone = 'Mars/Olympus_Mons';
    expect(problemsOf(doc).map((p) => p.path)).toEqual([`targets[${FUNCTION}].deploymentWindow.timeZone`]);
  });

  it('refuses more than 5 alarms in the stage of one wave: a condition holds 5 rules', () => {
    const doc = raw();
    const gated = (name: string, id: string) => ({
      name,
      account: account(id),
      wave: 'production',
      deploy: { kind: 'lambda', functionName: name, alias: 'live' },
      alarms: { names: ['errors', 'latency', 'throttles'] },
    });
    doc.targets = [gated('first', '300000000001'), gated('second', '300000000002')];
    expect(problemsOf(doc)).toEqual([
      {
        path: 'targets[1].alarms.names',
        message: 'the stage of wave "production" would watch 6 alarms; a CodePipeline condition holds at most 5 rules (one per alarm)',
      },
    ]);
  });
});
