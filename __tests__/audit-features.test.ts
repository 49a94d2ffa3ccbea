import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { globsIntersect } from '../lib/approver-groups';
import { generateConfig } from '../lib/config/generate';
import { canonical, parseHcl } from '../lib/hcl/equivalence';
import { readSynthesized } from '../lib/verify/synthesized';
import { verifyAccess } from '../lib/verify/verify';
import { config, policyStatements, problemsOf, resourcesOfType, shippedConfigs, synthesize, synthesizeHcl } from './support/synth';

// Issue 13: build secrets, secrets-access monitoring, audit dashboards, two-person approvals.

const TOOLING = '100000000001';
const REGION = 'eu-west-1';
const COMPLETE_ARN = `arn:aws:secretsmanager:${REGION}:${TOOLING}:secret:scale/app/signing-Ab12Cd`;
const SECRET_KEY = `arn:aws:kms:${REGION}:${TOOLING}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PARAMETER_KEY = `arn:aws:kms:${REGION}:${TOOLING}:key/9999abcd-12ab-34cd-56ef-1234567890ab`;

/** Two pipelines (app with secrets, parameters and a two-group approval; web without), so isolation shows. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function document(change: (doc: any) => void = () => undefined): any {
  const doc = structuredClone(generateConfig(2)) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  const app = doc.pipelines[0];
  app.build = {
    secrets: [
      { variable: 'NPM_TOKEN', secretName: 'scale/app/npm-token' },
      { variable: 'SIGNING_KEY', secretArn: COMPLETE_ARN, jsonKey: 'privateKey', versionStage: 'AWSCURRENT', kmsKeyArn: SECRET_KEY },
    ],
    parameters: [
      { variable: 'API_URL', parameter: '/scale/app/api-url' },
      { variable: 'FLAGS', parameter: `arn:aws:ssm:${REGION}:${TOOLING}:parameter/scale/app/flags`, kmsKeyArn: PARAMETER_KEY },
    ],
  };
  app.targets[1].approval = {
    approverGroups: [
      { name: 'release-managers', roles: [`arn:aws:iam::${TOOLING}:role/release-manager`] },
      { name: 'security', roles: ['security-approver-*'] },
    ],
  };
  doc.pipelines.push({ ...structuredClone(app), name: 'web', build: undefined, source: { kind: 'codecommit', account: 'repos', name: 'scale-web' } });
  doc.pipelines[1].targets[1].approval = true;
  change(doc);
  return doc;
}

const platform = config(document());
const { stacks } = synthesize(platform);
const app = stacks['app-pipeline'];

describe('build secrets', () => {
  it('gives CodeBuild references of type SECRETS_MANAGER and PARAMETER_STORE, never values', () => {
    const [, project] = resourcesOfType(app, 'aws_codebuild_project')[0];
    expect(project.environment.environment_variable).toEqual([
      { name: 'API_URL', type: 'PARAMETER_STORE', value: '/scale/app/api-url' },
      { name: 'FLAGS', type: 'PARAMETER_STORE', value: '/scale/app/flags' },
      { name: 'NPM_TOKEN', type: 'SECRETS_MANAGER', value: 'scale/app/npm-token' },
      { name: 'SIGNING_KEY', type: 'SECRETS_MANAGER', value: `${COMPLETE_ARN}:privateKey:AWSCURRENT` },
    ]);
  });

  it('lets the build role read exactly those secrets and parameters, and decrypt only through their service', () => {
    const [, role] = resourcesOfType(app, 'aws_iam_role_policy').find(([name]) => name.startsWith('build_role'))!;
    const statements = Object.fromEntries(policyStatements(app, role.policy).map((s: { sid: string }) => [s.sid, s]));
    expect(statements.ReadsBuildSecrets).toMatchObject({
      actions: ['secretsmanager:GetSecretValue'],
      // The complete ARN as given; by name, exactly six characters for Secrets Manager's suffix.
      resources: [`arn:aws:secretsmanager:${REGION}:${TOOLING}:secret:scale/app/npm-token-??????`, COMPLETE_ARN],
    });
    expect(statements.ReadsBuildParameters).toMatchObject({
      actions: ['ssm:GetParameters'],
      resources: [`arn:aws:ssm:${REGION}:${TOOLING}:parameter/scale/app/api-url`, `arn:aws:ssm:${REGION}:${TOOLING}:parameter/scale/app/flags`],
    });
    expect(statements.DecryptsBuildSecrets).toMatchObject({
      actions: ['kms:Decrypt'],
      resources: [SECRET_KEY],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${REGION}.amazonaws.com`] }],
    });
    expect(statements.DecryptsBuildParameters).toMatchObject({
      resources: [PARAMETER_KEY],
      condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${REGION}.amazonaws.com`] }],
    });
  });

  it('gives another pipeline nothing of them', () => {
    const web = JSON.stringify(stacks['web-pipeline']);
    expect(web).not.toContain('secretsmanager');
    expect(web).not.toContain('scale/app');
    expect(web).not.toContain('ssm:');
  });

  it('never puts a value, a value-reading data source or a secret resource into any stack', () => {
    const all = JSON.stringify(stacks);
    for (const type of ['aws_secretsmanager_secret_version', 'aws_ssm_parameter', 'aws_secretsmanager_secret', 'aws_secretsmanager_secrets']) {
      expect(all).not.toContain(`"${type}"`);
    }
    expect(all).not.toMatch(/secret_string|SecretString|"sensitive"/);
  });

  it('refuses secrets, parameters and keys of another account or region, and names the field', () => {
    const problems = problemsOf(
      document((doc) => {
        doc.pipelines[0].build.secrets[1].secretArn = `arn:aws:secretsmanager:us-east-1:${TOOLING}:secret:scale/app/signing-Ab12Cd`;
        doc.pipelines[0].build.secrets[1].kmsKeyArn = SECRET_KEY.replace(TOOLING, '999999999999');
        doc.pipelines[0].build.parameters[1].parameter = 'arn:aws:ssm:eu-west-1:999999999999:parameter/x';
      }),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'pipelines[0].build.secrets[1].secretArn',
      'pipelines[0].build.secrets[1].kmsKeyArn',
      'pipelines[0].build.parameters[1].parameter',
    ]);
    expect(problems[0].message).toMatch(/region us-east-1; a build may read only secrets of the tooling account/);
  });

  it('refuses an incomplete secret ARN, both or neither of secretArn and secretName, and a variable declared twice', () => {
    const problems = problemsOf(
      document((doc) => {
        doc.pipelines[0].build.secrets = [
          // Without the suffix (a name ending in "-" and six characters would read as complete: AWS advises against such names).
          { variable: 'A', secretArn: `arn:aws:secretsmanager:${REGION}:${TOOLING}:secret:nosuffix` },
          { variable: 'B', secretName: 'x', secretArn: COMPLETE_ARN },
          { variable: 'C' },
        ];
      }),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'pipelines[0].build.secrets[0].secretArn',
      'pipelines[0].build.secrets[1].secretArn',
      'pipelines[0].build.secrets[2].secretArn',
    ]);
    expect(problems[0].message).toMatch(/six characters/);
    const twice = problemsOf(document((doc) => doc.pipelines[0].build.secrets.push({ variable: 'API_URL', secretName: 'y' })));
    expect(twice).toEqual([{ path: 'pipelines[0].build.parameters[0].variable', message: 'environment variable API_URL is declared twice' }]);
  });

  it('cannot be set in the platform defaults: a secret belongs to one pipeline', () => {
    const problems = problemsOf(document((doc) => (doc.platform.defaults = { build: { secrets: [{ variable: 'A', secretName: 'a' }] } })));
    expect(problems[0].path).toBe('platform.defaults.build.secrets');
  });
});

describe('secrets-access monitoring', () => {
  const filters = Object.fromEntries(resourcesOfType(app, 'aws_cloudwatch_log_metric_filter'));

  it("counts GetSecretValue on the pipeline's secrets in the trail's log group, by any name of the secret", () => {
    const reads = filters.secret_reads_reads;
    expect(reads.log_group_name).toBe('/aws/cloudtrail/scale-audit');
    expect(reads.pattern).toContain('($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue")');
    for (const id of ['scale/app/npm-token', `arn:aws:secretsmanager:${REGION}:${TOOLING}:secret:scale/app/npm-token-*`, COMPLETE_ARN, 'scale/app/signing']) {
      expect(reads.pattern).toContain(`$.requestParameters.secretId = "${id}"`);
    }
    expect(reads.metric_transformation).toMatchObject({ namespace: 'scale/Secrets', name: 'GetSecretValue-app', dimensions: { SecretId: '$.requestParameters.secretId' } });
  });

  it('alarms the security topic when anyone but the build role reads one of them', () => {
    expect(filters.secret_reads_unexpected_reads.pattern).toContain(
      `($.userIdentity.arn != "arn:aws:sts::${TOOLING}:assumed-role/scale-app-build/*")`,
    );
    const [, alarm] = resourcesOfType(app, 'aws_cloudwatch_metric_alarm').find(([name]) => name === 'secret_reads_alarm')!;
    expect(alarm).toMatchObject({
      alarm_name: 'scale-app-secret-reads-alert',
      metric_name: 'UnexpectedGetSecretValue-app',
      namespace: 'scale/Secrets',
      alarm_actions: [`arn:aws:sns:${REGION}:${TOOLING}:scale-security-alerts`],
    });
    // The security topic admits every pipeline's *-alert alarms and rules by pattern, not by listing pipelines.
    const [, topicPolicy] = resourcesOfType(stacks.platform, 'aws_sns_topic_policy').find(([name]) => name.startsWith('security_alerts'))!;
    const sids = policyStatements(stacks.platform, topicPolicy.policy).map((s: { sid: string }) => s.sid);
    expect(sids).toEqual(expect.arrayContaining(['PipelineAlertRulesPublish', 'PipelineAlertAlarmsPublish']));
  });

  it('with an existing organization trail, uses the log group named for it, or skips the monitor', () => {
    const existing = (logGroup?: string) =>
      synthesize(
        config(
          document((doc) => {
            doc.platform.audit = { trail: { enabled: false }, existingTrail: true, ...(logGroup ? { existingTrailLogGroup: logGroup } : {}) };
          }),
        ),
      ).stacks['app-pipeline'];
    const named = existing('aws-controltower/CloudTrailLogs');
    expect(resourcesOfType(named, 'aws_cloudwatch_log_metric_filter').map(([, f]) => f.log_group_name)).toEqual([
      'aws-controltower/CloudTrailLogs',
      'aws-controltower/CloudTrailLogs',
    ]);
    const unnamed = existing();
    expect(resourcesOfType(unnamed, 'aws_cloudwatch_log_metric_filter')).toEqual([]);
    expect(JSON.stringify(resourcesOfType(unnamed, 'aws_cloudwatch_dashboard'))).not.toContain("SOURCE '");
  }, 120_000);

  it('refuses a log group of an existing trail beside the platform\'s own trail', () => {
    expect(problemsOf(document((doc) => (doc.platform.audit = { existingTrailLogGroup: 'x' })))).toEqual([
      {
        path: 'platform.audit.existingTrailLogGroup',
        message: 'names the log group of an existing trail: set it only with audit.existingTrail: true and audit.trail.enabled: false',
      },
    ]);
  });
});

describe('audit dashboards', () => {
  const body = (stack: Record<string, unknown>) => {
    const [, dashboard] = resourcesOfType(stack, 'aws_cloudwatch_dashboard')[0];
    return dashboard.dashboard_body as string;
  };

  it("give each pipeline its own dashboard in its stack: executions, builds, approvals, API calls, secrets", () => {
    const app = body(stacks['app-pipeline']);
    expect(app).toMatch(/^\$\{jsonencode\(\{/);
    for (const part of [
      'Executions of scale-app',
      'FailedPipelineExecutions',
      'scale-app-pipeline-succeeded',
      'FailedBuilds',
      "eventName = 'PutApprovalResult'",
      'stats count(*) as calls by eventName',
      'GetSecretValue-app',
      'UnexpectedGetSecretValue-app',
    ]) {
      expect(app).toContain(part);
    }
    expect(body(stacks['web-pipeline'])).toContain('Executions of scale-web');
    expect(body(stacks['web-pipeline'])).not.toContain('Secret reads');
  });

  it('give the platform an overview that names no pipeline, so onboarding one changes no byte of it', () => {
    const overview = body(stacks.platform);
    expect(overview).not.toMatch(/scale-app|scale-web|GetSecretValue-/);
    expect(overview).toContain('SEARCH(');
    expect(overview).toContain('stats count(*) as calls by eventName');
    const one = synthesize(config(document((doc) => doc.pipelines.pop()))).stacks.platform;
    expect(JSON.stringify(one)).toBe(JSON.stringify(stacks.platform));
  }, 120_000);

  it('synthesize to HCL as structured jsonencode objects that parse to the JSON synth', async () => {
    const out = await synthesizeHcl(platform);
    for (const stack of ['platform', 'app-pipeline']) {
      const hcl = readFileSync(path.join(out, 'stacks', stack, 'cdk.tf'), 'utf8');
      expect(hcl).toMatch(/dashboard_body\s*=\s*jsonencode\(\{/);
      const parsed = await parseHcl(`${stack}.tf`, hcl);
      expect(canonical(parsed.resource.aws_cloudwatch_dashboard)).toEqual(canonical(stacks[stack].resource.aws_cloudwatch_dashboard));
      expect(canonical(parsed.resource.aws_cloudwatch_log_metric_filter ?? null)).toEqual(
        canonical(stacks[stack].resource.aws_cloudwatch_log_metric_filter ?? null),
      );
    }
  }, 300_000);
});

describe('two-person approvals', () => {
  const [, pipeline] = resourcesOfType(app, 'aws_codepipeline')[0];
  const approvalStage = pipeline.stage.find((s: { name: string }) => s.name === 'Approve-w1');

  it('ask each group in turn, one approval action per group', () => {
    expect(approvalStage.action.map((a: { name: string; run_order: number }) => [a.name, a.run_order])).toEqual([
      ['Approve-t2-release-managers', 1],
      ['Approve-t2-security', 2],
    ]);
  });

  it('generate per group a managed policy with exactly PutApprovalResult on exactly its action', () => {
    const policies = Object.fromEntries(resourcesOfType(app, 'aws_iam_policy').filter(([name]) => name.startsWith('approver_groups')));
    expect(Object.keys(policies).sort()).toEqual(['approver_groups_t2_release_managers', 'approver_groups_t2_security']);
    expect(policies.approver_groups_t2_security.name).toBe('scale-app-approve-t2-security');
    expect(policyStatements(app, policies.approver_groups_t2_security.policy)).toEqual([
      {
        sid: 'AnswersItsApprovalAction',
        effect: 'Allow',
        actions: ['codepipeline:PutApprovalResult'],
        resources: [`arn:aws:codepipeline:${REGION}:${TOOLING}:scale-app/Approve-w1/Approve-t2-security`],
      },
    ]);
    // Not attached by the stacks: the platform team attaches it to the group's roles.
    expect(JSON.stringify(app)).not.toMatch(/aws_iam_(role|user|group)_policy_attachment/);
  });

  it('alert the security topic when an approval is answered outside its group', () => {
    const rules = Object.fromEntries(resourcesOfType(app, 'aws_cloudwatch_event_rule'));
    const pattern = rules.approver_groups_outsider_rule.event_pattern as string;
    expect(rules.approver_groups_outsider_rule.name).toBe('scale-app-approvals-alert');
    expect(pattern).toContain('"eventName" = ["PutApprovalResult"]');
    expect(pattern).toContain('"actionName" = ["Approve-t2-security"]');
    expect(pattern).toContain(`{"anything-but" = {"wildcard" = ["arn:aws:iam::${TOOLING}:role/security-approver-*"]}}`);
    expect(pattern).toContain('{"anything-but" = "AssumedRole"}');
    const [, target] = resourcesOfType(app, 'aws_cloudwatch_event_target').find(([name]) => name === 'approver_groups_outsider_target')!;
    expect(target.arn).toBe(`arn:aws:sns:${REGION}:${TOOLING}:scale-security-alerts`);
  });

  it('refuse overlapping groups (a role that could answer for two), roles of other accounts and repeated groups', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const withGroups = (groups: any[]) =>
      document((doc) => (doc.pipelines[0].targets[1].approval = { approverGroups: groups.map((g) => ({ ...g, name: `${g.name}${g.name}` })) }));
    expect(
      problemsOf(withGroups([{ name: 'a', roles: ['release-*'] }, { name: 'b', roles: [`arn:aws:iam::${TOOLING}:role/release-bot`] }]))[0],
    ).toMatchObject({ path: 'pipelines[0].targets[1].approval.approverGroups[1].roles', message: expect.stringMatching(/overlap/) });
    expect(problemsOf(withGroups([{ name: 'a', roles: ['*-approver'] }, { name: 'b', roles: ['release-*'] }]))[0].message).toMatch(/overlap/);
    expect(problemsOf(withGroups([{ name: 'a', roles: ['arn:aws:iam::999999999999:role/x'] }, { name: 'b', roles: ['y'] }]))[0]).toMatchObject({
      path: 'pipelines[0].targets[1].approval.approverGroups[0].roles[0]',
    });
    expect(problemsOf(withGroups([{ name: 'a', roles: ['x'] }, { name: 'a', roles: ['y'] }]))[0].message).toBe('approver group aa is listed twice');
    expect(problemsOf(withGroups([{ name: 'a', roles: ['**'] }]))[0]).toMatchObject({
      path: 'pipelines[0].targets[1].approval.approverGroups[0].roles[0]',
      message: expect.stringMatching(/not only wildcards/),
    });
  });

  it('decide overlap of role patterns exactly', () => {
    expect(globsIntersect('arn:aws:iam::1:role/release-*', 'arn:aws:iam::1:role/security-*')).toBe(false);
    expect(globsIntersect('arn:aws:iam::1:role/*-approver', 'arn:aws:iam::1:role/release-*')).toBe(true);
    expect(globsIntersect('arn:aws:iam::1:role/a?c', 'arn:aws:iam::1:role/abc')).toBe(true);
    expect(globsIntersect('arn:aws:iam::1:role/a?c', 'arn:aws:iam::1:role/abcd')).toBe(false);
    expect(globsIntersect('arn:aws:iam::1:role/x', 'arn:aws:iam::2:role/x')).toBe(false);
  });
});

describe('the access proof of build secrets', () => {
  it('proves the build reads its secrets and parameters, and no other role (another pipeline\'s build included) can', async () => {
    const verification = await verifyAccess(readSynthesized(synthesize(platform).outdir), platform);
    expect(verification.problems).toEqual([]);
    expect(verification.ok).toBe(true);
    const holds = (actor: string, action: string, resource: string, result: string) =>
      verification.outcomes.some(
        (o) => o.path.actor.kind === 'role' && o.path.actor.arn.endsWith(`:role/${actor}`) && o.path.action === action && o.path.resource === resource && o.result === result,
      );
    const npm = `arn:aws:secretsmanager:${REGION}:${TOOLING}:secret:scale/app/npm-token-Xy12Z9`;
    expect(holds('scale-app-build', 'secretsmanager:GetSecretValue', npm, 'Allowed')).toBe(true);
    expect(holds('scale-app-build', 'secretsmanager:GetSecretValue', COMPLETE_ARN, 'Allowed')).toBe(true);
    expect(holds('scale-web-build', 'secretsmanager:GetSecretValue', npm, 'ImplicitlyDenied')).toBe(true);
    expect(holds('scale-app-pipeline', 'secretsmanager:GetSecretValue', COMPLETE_ARN, 'ImplicitlyDenied')).toBe(true);
    expect(holds('scale-web-build', 'ssm:GetParameters', `arn:aws:ssm:${REGION}:${TOOLING}:parameter/scale/app/flags`, 'ImplicitlyDenied')).toBe(true);
  }, 300_000);

  it('runs on the shipped example with build secrets and a two-group approval', () => {
    const flow = shippedConfigs()['config/examples/release-flow.yaml'];
    expect(flow.pipelines[0].pipeline.build.secrets.length).toBeGreaterThan(0);
    expect(flow.pipelines[0].targets.some((t) => typeof t.approval === 'object' && (t.approval.approverGroups?.length ?? 0) === 2)).toBe(true);
  });
});
