import { account, baseConfig } from './support/configs';
import { config, policyStatements, synthesize, problemsOf } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
const s3 = { kind: 's3' } as const;

describe('approvals', () => {
  const raw = {
    ...baseConfig([
      { name: 'staging', account: account('300000000001'), deploy: s3 },
      {
        name: 'production',
        account: account('300000000002'),
        approval: { comment: 'Ship it?', reviewUrl: 'https://staging.example.com/release', timeoutMinutes: 120 },
        deploy: s3,
      },
    ]),
  };
  raw.pipeline = { ...raw.pipeline, approvals: { emails: ['release-managers@example.com', 'Ops.Team@example.com'] } };
  const { stacks } = synthesize(config(raw));
  const pipeline = stacks['rel-pipeline'].resource.aws_codepipeline.pipeline;

  it('waits for a manual approval with the custom text, review link and timeout before the target', () => {
    expect(pipeline.stage.map((s: any) => s.name)).toEqual(['Source', 'Build', 'Deploy-staging', 'Approve-production', 'Deploy-production']);
    expect(pipeline.stage[3].action).toEqual([
      {
        name: 'Approve-production',
        category: 'Approval',
        owner: 'AWS',
        provider: 'Manual',
        version: '1',
        timeout_in_minutes: 120,
        configuration: {
          NotificationArn: '${aws_sns_topic.approval_topic.arn}',
          CustomData: 'Ship it?',
          ExternalEntityLink: 'https://staging.example.com/release',
        },
      },
    ]);
  });

  it('notifies an encrypted topic that only the pipeline role may publish to, and e-mails each subscriber', () => {
    const topic = stacks['rel-pipeline'].resource.aws_sns_topic.approval_topic;
    expect(topic.kms_master_key_id).toBe('${data.terraform_remote_state.remote_rel_base.outputs.artifact_key_arn}');
    const policy = stacks['rel-pipeline'].resource.aws_sns_topic_policy.approval_topic_policy;
    expect(policyStatements(stacks['rel-pipeline'], policy.policy)[0]).toMatchObject({
      actions: ['sns:Publish'],
      condition: [{ variable: 'aws:PrincipalArn', values: ['arn:aws:iam::100000000001:role/acme-rel-pipeline'] }],
    });
    expect(stacks['rel-pipeline'].resource.aws_sns_topic_subscription).toEqual({
      approval_topic_email_release_managers_example_com: expect.objectContaining({
        protocol: 'email',
        endpoint: 'release-managers@example.com',
        topic_arn: '${aws_sns_topic.approval_topic.arn}',
      }),
      approval_topic_email_ops_team_example_com: expect.objectContaining({ endpoint: 'Ops.Team@example.com' }),
    });
  });

  it('refuses plain-http review links, bad or duplicate addresses and timeouts CodePipeline does not accept', () => {
    const bad = JSON.parse(JSON.stringify(raw));
    bad.targets[1].approval = { reviewUrl: 'http://staging.example.com', timeoutMinutes: 2 };
    bad.pipeline.approvals.emails = ['ops@example.com', 'not-an-address', 'OPS@example.com'];
    expect(problemsOf(bad)).toEqual(
      expect.arrayContaining([
        { path: 'targets[1].approval.reviewUrl', message: 'must be an https:// URL' },
        { path: 'targets[1].approval.timeoutMinutes', message: expect.stringContaining('>=5') },
        { path: 'approvals.emails[1]', message: 'must be an e-mail address, got "not-an-address"' },
        {
          path: 'approvals.emails[2]',
          message: 'duplicate email address "ops@example.com" (first used at pipeline.approvals.emails[0])',
        },
      ]),
    );
  });
});

describe('waves', () => {
  const changeSet = {
    kind: 'cloudformation' as const,
    stackName: 'api',
    mode: 'change-set' as const,
    executionRole: { statements: [{ actions: ['lambda:UpdateFunctionCode'], resources: ['arn:aws:lambda:eu-west-1:300000000003:function:api'] }] },
  };
  const cfg = config(
    baseConfig([
      { name: 'dev', account: account('300000000001'), deploy: s3 },
      { name: 'prod-eu', wave: 'prod', account: account('300000000002'), approval: true, deploy: s3 },
      { name: 'prod-us', wave: 'prod', account: account('300000000003'), approval: { comment: 'US too?' }, deploy: changeSet },
      { name: 'prod-ap', wave: 'prod', account: account('300000000004'), deploy: s3 },
    ]),
  );
  const pipeline = synthesize(cfg).stacks['rel-pipeline'].resource.aws_codepipeline.pipeline;
  const stage = (name: string) => pipeline.stage.find((s: any) => s.name === name);

  it('releases wave by wave, each wave in one stage, lone targets in their own', () => {
    expect(pipeline.stage.map((s: any) => s.name)).toEqual(['Source', 'Build', 'Deploy-dev', 'Approve-prod', 'Deploy-prod']);
  });

  it('deploys the targets of a wave in parallel; a change set still creates before it executes', () => {
    expect(stage('Deploy-prod').action.map((a: any) => [a.name, a.run_order])).toEqual([
      ['Deploy-prod-eu', 1],
      ['CreateChangeSet-prod-us', 1],
      ['ExecuteChangeSet-prod-us', 2],
      ['Deploy-prod-ap', 1],
    ]);
  });

  it('asks for every approval the wave needs before any of its targets deploys', () => {
    expect(stage('Approve-prod').action.map((a: any) => [a.name, a.configuration.CustomData])).toEqual([
      ['Approve-prod-eu', 'Approve the release to prod-eu (account 300000000002)'],
      ['Approve-prod-us', 'US too?'],
    ]);
  });
});

describe('V2 pipeline options', () => {
  const targets = [
    { name: 'staging', account: account('300000000001'), deploy: s3 },
    {
      name: 'downstream',
      account: account('300000000002'),
      approval: true,
      deploy: { kind: 'invoke-pipeline' as const, pipelineName: 'next', variables: { REGION: '#{variables.REGION}' } },
    },
  ];
  const withPipeline = (pipeline: Record<string, unknown>) => {
    const raw: any = baseConfig(targets);
    raw.pipeline = { ...raw.pipeline, ...pipeline };
    return raw;
  };
  const declared = { variables: [{ name: 'REGION', default: 'eu-west-1', description: 'Where to release' }] };

  it('queues runs by default, retries the source and build stages, rolls deploy stages back, lets approvals fail', () => {
    const pipeline = synthesize(config(withPipeline(declared))).stacks['rel-pipeline'].resource.aws_codepipeline.pipeline;
    expect(pipeline.execution_mode).toBe('QUEUED');
    expect(pipeline.variable).toEqual([{ name: 'REGION', default_value: 'eu-west-1', description: 'Where to release' }]);
    const retry = { result: 'RETRY', retry_configuration: { retry_mode: 'FAILED_ACTIONS' } };
    expect(Object.fromEntries(pipeline.stage.map((s: any) => [s.name, s.on_failure]))).toEqual({
      Source: retry,
      Build: retry,
      'Deploy-staging': { result: 'ROLLBACK' },
      'Approve-downstream': undefined,
      'Deploy-downstream': { result: 'ROLLBACK' },
    });
  });

  it('runs in PARALLEL mode only with deploy stages that fail instead of rolling back', () => {
    expect(problemsOf(withPipeline({ ...declared, executionMode: 'PARALLEL' }))).toEqual([
      {
        path: 'onFailure.deploy',
        message: 'stage rollback is not available in PARALLEL execution mode; set onFailure.deploy to fail',
      },
    ]);
    const parallel = withPipeline({ ...declared, executionMode: 'PARALLEL', onFailure: { deploy: 'fail', build: 'fail' } });
    const pipeline = synthesize(config(parallel)).stacks['rel-pipeline'].resource.aws_codepipeline.pipeline;
    expect(pipeline.execution_mode).toBe('PARALLEL');
    expect(pipeline.stage.map((s: any) => s.on_failure?.result ?? 'FAIL')).toEqual(['RETRY', 'FAIL', 'FAIL', 'FAIL', 'FAIL']);
  });

  it('refuses a reference to a pipeline variable that is not declared', () => {
    expect(problemsOf(withPipeline({ executionMode: 'SUPERSEDED' }))).toEqual([
      { path: 'targets[1]', message: 'uses #{variables.REGION}, but variables declares no REGION' },
    ]);
  });
});
