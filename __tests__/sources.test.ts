import { account, baseConfig, connectionSource, s3Source } from './support/configs';
import { config, synthesize, problemsOf } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
const targets = [
  { name: 'site', account: account('300000000001'), deploy: { kind: 's3' as const } },
  {
    name: 'next',
    account: account('300000000002'),
    deploy: { kind: 'invoke-pipeline' as const, pipelineName: 'next', sourceRevision: { actionName: 'Source' } },
  },
];
const withSource = (source: unknown): any => ({ ...baseConfig(targets), source });
const base = (name: string) => `\${data.terraform_remote_state.remote_rel_base.outputs.${name}}`;
const pipelineStatements = (stacks: any) => stacks["rel-pipeline"].data.aws_iam_policy_document.pipeline_role_permissions.statement;

describe('a connection source (GitHub, GitLab, Bitbucket)', () => {
  const { stacks } = synthesize(config(withSource(connectionSource)));
  const pipeline = stacks["rel-pipeline"].resource.aws_codepipeline.pipeline;

  it('creates the connection in the pipeline account, kept from destroy, and no repository stack', () => {
    expect(stacks["rel-base"].resource.aws_codestarconnections_connection.source_connection).toMatchObject({
      name: 'acme-rel-github',
      provider_type: 'GitHub',
      lifecycle: { prevent_destroy: true },
    });
    expect(Object.keys(stacks).sort()).toEqual(['account-site', 'platform', 'rel-base', 'rel-pipeline', 'rel-target-next', 'rel-target-site']);
  });

  it('reads the repository through the connection as the pipeline role, which may use that connection only', () => {
    expect(pipeline.stage[0].action).toEqual([
      {
        name: 'Source',
        category: 'Source',
        owner: 'AWS',
        provider: 'CodeStarSourceConnection',
        version: '1',
        namespace: 'SourceVariables',
        output_artifacts: ['source_output'],
        configuration: {
          ConnectionArn: base('source_connection_arn'),
          FullRepositoryId: 'example-org/orders',
          BranchName: 'main',
          OutputArtifactFormat: 'CODE_ZIP',
        },
      },
    ]);
    expect(pipelineStatements(stacks).find((s: any) => s.sid === 'UsesSourceConnection')).toEqual({
      sid: 'UsesSourceConnection',
      effect: 'Allow',
      actions: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
      resources: [base('source_connection_arn')],
    });
  });

  it('starts on the V2 push triggers, not on an EventBridge rule', () => {
    expect(pipeline.trigger).toEqual([
      {
        provider_type: 'CodeStarSourceConnection',
        git_configuration: {
          source_action_name: 'Source',
          push: [
            { branches: { includes: ['main', 'release/*'] }, file_paths: { excludes: ['docs/**'] } },
            { tags: { includes: ['v*'] } },
          ],
        },
      },
    ]);
    // The pipeline stack's rules report failed runs (monitoring.notifications) and count succeeded ones for the audit
    // dashboard (no target); no rule anywhere targets the pipeline.
    expect(Object.values<any>(stacks["rel-pipeline"].resource.aws_cloudwatch_event_rule).map((rule) => rule.name)).toEqual([
      'acme-rel-pipeline-failed',
      'acme-rel-pipeline-succeeded',
    ]);
    const eventTargets = Object.values<any>(stacks).flatMap((stack) => Object.values<any>(stack.resource.aws_cloudwatch_event_target ?? {}));
    expect(eventTargets.length).toBeGreaterThan(0);
    expect(eventTargets.filter((target) => target.arn === 'arn:aws:codepipeline:eu-west-1:100000000001:acme-rel')).toEqual([]);
    expect(JSON.stringify(stacks)).not.toContain('acme-rel-pipeline-starter');
  });

  it('defaults to pushes to the branch, and uses an existing connection of the pipeline account as given', () => {
    const arn = 'arn:aws:codeconnections:eu-west-1:100000000001:connection/0f6e7e56-86f1-4a93-b11c-0123456789ab';
    const { stacks: existing } = synthesize(config(withSource({ ...connectionSource, triggers: undefined, connectionArn: arn })));
    const pipelineResource = existing['rel-pipeline'].resource.aws_codepipeline.pipeline;
    expect(pipelineResource.trigger[0].git_configuration.push).toEqual([{ branches: { includes: ['main'] } }]);
    expect(pipelineResource.stage[0].action[0].configuration.ConnectionArn).toBe(arn);
    expect(existing['rel-base'].resource?.aws_codestarconnections_connection).toBeUndefined();
  });

  it('refuses connections of other accounts and triggers beyond CodePipeline limits', () => {
    const tooMany = { branches: { includes: ['main'] } };
    expect(problemsOf(withSource({ ...connectionSource, triggers: [tooMany, tooMany, tooMany, tooMany] }))).toEqual([
      { path: 'source.triggers', message: 'CodePipeline allows 3 push filters per source action' },
    ]);
    const raw = withSource({
      ...connectionSource,
      triggers: [
        { branches: { includes: Array.from({ length: 9 }, (_, i) => `b${i}`) } },
        { tags: { includes: ['v*'] }, branches: { includes: ['main'] } },
        { branches: {}, filePaths: { includes: ['src/**'] } },
      ],
    });
    expect(problemsOf(raw)).toEqual([
      { path: 'source.triggers[0].branches.includes', message: 'CodePipeline allows 8 patterns per include or exclude list' },
      { path: 'source.triggers[1]', message: 'a push filter matches branches (optionally with filePaths) or tags, one of them' },
      { path: 'source.triggers[2].branches', message: 'give includes, excludes or both' },
    ]);
    const elsewhere = withSource({
      ...connectionSource,
      connectionArn: 'arn:aws:codeconnections:eu-west-1:999999999999:connection/0f6e7e56-86f1-4a93-b11c-0123456789ab',
    });
    expect(problemsOf(elsewhere)).toEqual([
      { path: 'source.connectionArn', message: 'must be a connection of the pipeline account 100000000001 in eu-west-1' },
    ]);
  });
});

describe('a versioned S3 object source', () => {
  const { stacks } = synthesize(config(withSource(s3Source)));
  const pipeline = stacks["rel-pipeline"].resource.aws_codepipeline.pipeline;
  const bucketName = 'acme-rel-source-100000000001-eu-west-1';

  it('takes the one configured object, never an override, starting on its events only', () => {
    expect(pipeline.stage[0].action[0]).toMatchObject({
      provider: 'S3',
      configuration: {
        S3Bucket: base('source_bucket_name'),
        S3ObjectKey: 'releases/orders.zip',
        PollForSourceChanges: 'false',
        AllowOverrideForS3ObjectKey: 'false',
      },
    });
    const rule = stacks["rel-pipeline"].resource.aws_cloudwatch_event_rule.start_pipeline;
    expect(rule.event_bus_name).toBeUndefined();
    expect(rule.event_pattern).toBe(
      `\${jsonencode({"source" = ["aws.s3"], "detail-type" = ["Object Created"], "detail" = {"bucket" = {"name" = ["${bucketName}"]}, "object" = {"key" = ["releases/orders.zip"]}}})}`,
    );
    const trust = stacks["rel-pipeline"].data.aws_iam_policy_document.start_pipeline_role_trust.statement[0];
    expect(trust.condition[1].values).toEqual(['arn:aws:events:eu-west-1:100000000001:rule/acme-rel-start-pipeline']);
  });

  it('lets the pipeline role read only that object and decrypt with the source key', () => {
    const bySid = Object.fromEntries(pipelineStatements(stacks).map((s: any) => [s.sid, s]));
    expect(bySid.ReadsSourceObject.resources).toEqual([`arn:aws:s3:::${bucketName}/releases/orders.zip`]);
    expect(bySid.ChecksSourceBucket.resources).toEqual([`arn:aws:s3:::${bucketName}`]);
    expect(bySid.DecryptsSource).toMatchObject({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [base('source_key_arn')] });
  });

  it('keeps a versioned, encrypted bucket that announces new objects and denies uploads by anyone but the uploaders', () => {
    const baseStack = stacks["rel-base"];
    expect(baseStack.resource.aws_s3_bucket.source_bucket).toMatchObject({ bucket: bucketName, lifecycle: { prevent_destroy: true } });
    expect(baseStack.resource.aws_s3_bucket_notification.source_bucket_events).toMatchObject({ eventbridge: true });
    const deny = baseStack.data.aws_iam_policy_document.source_bucket_policy_document.statement.find(
      (s: any) => s.sid === 'DenyUploadsByOthers',
    );
    expect(deny).toMatchObject({
      effect: 'Deny',
      actions: ['s3:PutObject'],
      condition: [{ test: 'ArnNotEquals', variable: 'aws:PrincipalArn', values: ['arn:aws:iam::100000000001:role/release-uploader'] }],
    });
  });

  it('logs access to the source bucket into the platform\'s log bucket of the tooling account, which accepts its logs', () => {
    const baseStack = stacks["rel-base"];
    expect(baseStack.resource.aws_s3_bucket_logging.source_bucket_access_logs).toMatchObject({
      target_bucket: 'acme-access-logs-100000000001-eu-west-1',
      target_prefix: `${bucketName}/`,
    });
    // The log bucket is the platform's: it takes the logs of every bucket named acme-*.
    const delivery = stacks.platform.data.aws_iam_policy_document.access_logs_policy_document.statement.find(
      (s: any) => s.sid === 'S3DeliversAccessLogs',
    );
    expect(delivery.condition[0]).toEqual({ test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:s3:::acme-*'] });
    expect(bucketName.startsWith('acme-')).toBe(true);
  });

  it('hands the object version on to invoked pipelines', () => {
    const invoke = pipeline.stage.flatMap((s: any) => s.action).find((a: any) => a.name === 'Invoke-next');
    expect(invoke.configuration.SourceRevisions).toContain('"revisionType" = "S3_OBJECT_VERSION_ID", "revisionValue" = "#{SourceVariables.VersionId}"');
  });

  it('refuses a created bucket without uploaders, uploaders of other accounts, and an existing bucket without a name', () => {
    expect(problemsOf(withSource({ kind: 's3', uploaders: [] }))).toEqual([
      { path: 'source.uploaders', message: 'name the roles that upload the source; the created bucket denies everyone else' },
    ]);
    expect(problemsOf(withSource({ kind: 's3', uploaders: ['arn:aws:iam::999999999999:role/u'] }))).toEqual([
      { path: 'source.uploaders[0]', message: 'must be a role of the pipeline account 100000000001' },
    ]);
    expect(problemsOf(withSource({ kind: 's3', create: false }))).toEqual([
      { path: 'source.bucketName', message: 'name the existing bucket' },
    ]);
  });
});
