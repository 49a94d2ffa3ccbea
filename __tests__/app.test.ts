import { isAbsolute } from 'node:path';
import { generateConfig } from '../lib/config/generate';
import { account, baseConfig, connectionSource, everyKindTargets, s3Source } from './support/configs';
import { blocks, config, exampleConfig, policyStatements, resourcesOfType, synthesize, type TerraformJson } from './support/synth';

const REMOTE_OUTPUT = /\$\{data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)\}/g;

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => allStrings(v, out));
  return out;
}

/** Producer stack of each remote-state data source, from the state path it reads. */
function remoteProducers(stack: TerraformJson): Record<string, string> {
  const producers: Record<string, string> = {};
  for (const [name, body] of Object.entries<any>(stack.data?.terraform_remote_state ?? {})) {
    producers[name] = /([\w-]+)\.tfstate$/.exec(body.config.path)![1];
  }
  return producers;
}

const configurations = {
  example: exampleConfig(),
  'three targets in three accounts': config(generateConfig(3)),
  'one target, existing repository, unprotected': config({
    ...generateConfig(1),
    protectStatefulResources: false,
    source: { kind: 'codecommit', account: account('100000000002'), name: 'existing', create: false },
  }),
  'every deploy kind': config(baseConfig(everyKindTargets())),
  'a connection source': config({ ...baseConfig(everyKindTargets().slice(0, 2)), source: connectionSource }),
  'an S3 source': config({ ...baseConfig(everyKindTargets().slice(4)), source: s3Source }),
  'targets in three regions': config(
    baseConfig([
      { name: 'home', account: account('300000000001'), deploy: { kind: 's3' } },
      { name: 'oregon', account: account('300000000002', 'us-west-2'), deploy: { kind: 's3' } },
      { name: 'tokyo', account: account('300000000003', 'ap-northeast-1'), deploy: { kind: 'ecs', cluster: 'c', service: 's' } },
    ]),
  ),
};

describe.each(Object.entries(configurations))('the whole app for %s', (_label, cfg) => {
  const { stacks, applyOrder } = synthesize(cfg);
  const codeCommit = cfg.source.kind === 'codecommit' ? cfg.source : undefined;
  const accountOf: Record<string, string> = {
    'pipeline-base': cfg.pipeline.account.id,
    pipeline: cfg.pipeline.account.id,
    ...(codeCommit ? { repository: codeCommit.account.id } : {}),
    ...Object.fromEntries(cfg.targets.map((t) => [`target-${t.name}`, t.account.id])),
  };

  it('has one stack per account role: base and pipeline, repository for CodeCommit, one per target', () => {
    expect(Object.keys(stacks).sort()).toEqual(Object.keys(accountOf).sort());
  });

  it('gives each stack aliased providers (one per region it uses) that assume the configured role in exactly its account', () => {
    const roleOf: Record<string, string> = {
      'pipeline-base': cfg.pipeline.account.role,
      pipeline: cfg.pipeline.account.role,
      ...(codeCommit ? { repository: codeCommit.account.role } : {}),
      ...Object.fromEntries(cfg.targets.map((t) => [`target-${t.name}`, t.account.role])),
    };
    const homeRegion = (name: string) => cfg.targets.find((t) => `target-${t.name}` === name)?.account.region ?? cfg.pipeline.account.region;
    for (const [name, stack] of Object.entries(stacks)) {
      expect(Object.keys(stack.provider)).toEqual(['aws']);
      const alias = name.startsWith('target-') ? name.slice('target-'.length) : name.replace('-base', '');
      const [own, ...regional] = stack.provider.aws;
      expect(own).toMatchObject({ alias, region: homeRegion(name) });
      for (const provider of regional) expect(provider.alias).toBe(`${alias}-${provider.region}`);
      for (const provider of stack.provider.aws) {
        expect(provider.allowed_account_ids).toEqual([accountOf[name]]);
        expect(provider.assume_role).toEqual([{ role_arn: roleOf[name], session_name: `cdktf-${name}` }]);
        expect(provider.default_tags).toEqual([{ tags: { project: cfg.project, stack: name, 'managed-by': 'cdktf' } }]);
      }
    }
    const extraRegions = [...new Set(cfg.targets.map((t) => t.account.region))].filter((r) => r !== cfg.pipeline.account.region);
    expect(stacks['pipeline-base'].provider.aws.slice(1).map((p: any) => p.region).sort()).toEqual(extraRegions.sort());
  });

  it('names one of its stack\'s providers explicitly on every resource and data source', () => {
    for (const stack of Object.values(stacks)) {
      const aliases = stack.provider.aws.map((p: any) => `aws.${p.alias}`);
      for (const [kind, type, name, body] of blocks(stack)) {
        if (type === 'terraform_remote_state') continue; // built into Terraform, no provider
        expect({ block: `${kind}.${type}.${name}`, named: aliases.includes(body.provider) }).toEqual({
          block: `${kind}.${type}.${name}`,
          named: true,
        });
      }
    }
  });

  it('keeps state in a local file per stack at a path relative to the project, never absolute', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform-state/${name}.tfstate` } });
      for (const remote of Object.values<any>(stack.data?.terraform_remote_state ?? {})) {
        expect(remote.backend).toBe('local');
        expect(isAbsolute(remote.config.path)).toBe(false);
      }
    }
  });

  it('reads values of other stacks only through remote state, each a named output of its producer', () => {
    let reads = 0;
    for (const [name, stack] of Object.entries(stacks)) {
      const producers = remoteProducers(stack);
      for (const text of allStrings(stack)) {
        for (const [, remote, output] of text.matchAll(REMOTE_OUTPUT)) {
          const producer = producers[remote];
          expect({ consumer: name, producer, output, exists: !!stacks[producer]?.output?.[output] }).toEqual({
            consumer: name,
            producer,
            output,
            exists: true,
          });
          expect(applyOrder.order.indexOf(producer)).toBeLessThan(applyOrder.order.indexOf(name));
          reads++;
        }
      }
    }
    expect(reads).toBeGreaterThan(5);
  });

  it('publishes stable, named, non-sensitive outputs and no automatic cross-stack outputs', () => {
    for (const stack of Object.values(stacks)) {
      for (const [name, output] of Object.entries<any>(stack.output ?? {})) {
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/);
        expect(output.sensitive).toBeUndefined();
        expect(output.description).toEqual(expect.any(String));
      }
    }
    expect(JSON.stringify(stacks)).not.toMatch(/cross-stack-output|cross_stack/);
  });

  it('writes an apply order without cycles: base first, the pipeline last, after every other stack', () => {
    const others = Object.keys(stacks).filter((name) => name !== 'pipeline');
    expect(applyOrder.waves[0]).toContain('pipeline-base');
    expect(applyOrder.waves.at(-1)).toEqual(['pipeline']);
    expect(applyOrder.order).toEqual(applyOrder.waves.flat());
    expect(applyOrder.dependsOn.pipeline).toEqual(others.sort());
  });

  it('builds every policy as a policy document, never as a serialized string', () => {
    const policyAttributes = ['policy', 'assume_role_policy'];
    let policies = 0;
    for (const stack of Object.values(stacks)) {
      for (const [kind, type, name, body] of blocks(stack)) {
        for (const attribute of policyAttributes) {
          if (kind !== 'resource' || body[attribute] === undefined) continue;
          expect({ at: `${type}.${name}.${attribute}`, value: body[attribute] }).toEqual({
            at: `${type}.${name}.${attribute}`,
            value: expect.stringMatching(/^\$\{data\.aws_iam_policy_document\.[\w-]+\.json\}$/),
          });
          policies++;
        }
      }
    }
    expect(policies).toBeGreaterThan(10);
  });

  it('protects keys, buckets, a created repository or connection as configured; keys rotate with a 30-day window', () => {
    const protect = cfg.protectStatefulResources;
    for (const stack of Object.values(stacks)) {
      for (const type of ['aws_kms_key', 'aws_kms_replica_key', 'aws_s3_bucket', 'aws_codecommit_repository', 'aws_codestarconnections_connection']) {
        for (const [, body] of resourcesOfType(stack, type)) {
          expect(body.lifecycle).toEqual({ prevent_destroy: protect });
        }
      }
      for (const [, key] of resourcesOfType(stack, 'aws_kms_key')) {
        expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
      }
    }
    if (codeCommit) {
      expect(resourcesOfType(stacks.repository, 'aws_codecommit_repository')).toHaveLength(codeCommit.create ? 1 : 0);
      expect(Object.keys(stacks.repository.data?.aws_codecommit_repository ?? {})).toHaveLength(codeCommit.create ? 0 : 1);
    }
  });

  it('never puts an external id on a trust policy: CodePipeline cannot pass one', () => {
    expect(JSON.stringify(stacks)).not.toContain('sts:ExternalId');
  });

  it('lets each deploy role be assumed only by the pipeline role, and only from the pipeline account', () => {
    const pipelineRole = `arn:aws:iam::${cfg.pipeline.account.id}:role/${cfg.project}-pipeline`;
    for (const target of cfg.targets) {
      const stack = stacks[`target-${target.name}`];
      const [, role] = resourcesOfType(stack, 'aws_iam_role').find(([, r]) => r.name === `${cfg.project}-deploy-${target.name}`)!;
      expect(policyStatements(stack, role.assume_role_policy)).toEqual([
        {
          sid: 'TrustExactRole',
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'AWS', identifiers: [`arn:aws:iam::${cfg.pipeline.account.id}:root`] }],
          condition: [{ test: 'ArnEquals', variable: 'aws:PrincipalArn', values: [pipelineRole] }],
        },
      ]);
    }
  });
});

describe('the example pipeline', () => {
  const { stacks } = synthesize(exampleConfig());
  const pipeline = stacks.pipeline.resource.aws_codepipeline.pipeline;

  it('is a V2 pipeline whose artifact store is encrypted with the customer key', () => {
    expect(pipeline.pipeline_type).toBe('V2');
    expect(pipeline.execution_mode).toBe('QUEUED');
    expect(pipeline.artifact_store).toEqual([
      {
        type: 'S3',
        location: '${data.terraform_remote_state.remote_pipeline_base.outputs.artifact_bucket_name}',
        encryption_key: { type: 'KMS', id: '${data.terraform_remote_state.remote_pipeline_base.outputs.artifact_key_arn}' },
      },
    ]);
  });

  it('releases in configured order with an approval only before production', () => {
    expect(pipeline.stage.map((s: any) => s.name)).toEqual([
      'Source',
      'Build',
      'Deploy-staging',
      'Approve-production',
      'Deploy-production',
    ]);
    const approval = pipeline.stage[3].action[0];
    expect(approval).toMatchObject({ category: 'Approval', provider: 'Manual' });
    expect(approval.configuration).toEqual({
      NotificationArn: '${aws_sns_topic.approval_topic.arn}',
      CustomData: 'Staging looks good? Approve to release to production.',
    });
    const topic = stacks.pipeline.resource.aws_sns_topic.approval_topic;
    expect(topic.kms_master_key_id).toBe('${data.terraform_remote_state.remote_pipeline_base.outputs.artifact_key_arn}');
  });

  it('runs the CodeCommit source action as the repository account role, without polling', () => {
    expect(pipeline.stage[0].action[0]).toMatchObject({
      category: 'Source',
      provider: 'CodeCommit',
      namespace: 'SourceVariables',
      role_arn: '${data.terraform_remote_state.remote_repository.outputs.source_role_arn}',
      configuration: { BranchName: 'main', PollForSourceChanges: 'false' },
    });
  });

  it('extracts the build into each target bucket as that target deploy role', () => {
    const deploy = pipeline.stage[4].action[0];
    expect(deploy).toMatchObject({
      category: 'Deploy',
      provider: 'S3',
      input_artifacts: ['build_output'],
      role_arn: '${data.terraform_remote_state.remote_target_production.outputs.deploy_role_arn}',
      configuration: {
        BucketName: '${data.terraform_remote_state.remote_target_production.outputs.deploy_bucket_name}',
        Extract: 'true',
        ObjectKey: 'release/',
      },
    });
  });

  it('lets the pipeline role assume exactly the source and deploy roles', () => {
    const role = stacks.pipeline.resource.aws_iam_role_policy.pipeline_role_policy;
    const assume = policyStatements(stacks.pipeline, role.policy).find((s) => s.sid === 'AssumesActionRoles');
    expect(assume.resources).toEqual([
      '${data.terraform_remote_state.remote_repository.outputs.source_role_arn}',
      '${data.terraform_remote_state.remote_target_staging.outputs.deploy_role_arn}',
      '${data.terraform_remote_state.remote_target_production.outputs.deploy_role_arn}',
    ]);
  });

  it('grants the other accounts the artifact key only as their exact roles', () => {
    const key = stacks['pipeline-base'].resource.aws_kms_key.artifact_store_key;
    const statements = policyStatements(stacks['pipeline-base'], key.policy);
    const grants = Object.fromEntries(
      statements.filter((s) => s.condition).map((s) => [s.sid, [s.principals[0].identifiers, s.condition[0].values]]),
    );
    expect(grants).toEqual({
      PipelineUsesKey: [
        ['arn:aws:iam::111111111111:root'],
        ['arn:aws:iam::111111111111:role/webapp-pipeline', 'arn:aws:iam::111111111111:role/webapp-build'],
      ],
      SourceUsesKey: [['arn:aws:iam::222222222222:root'], ['arn:aws:iam::222222222222:role/webapp-source']],
      DeployUsesKey: [
        ['arn:aws:iam::333333333333:root', 'arn:aws:iam::444444444444:root'],
        ['arn:aws:iam::333333333333:role/webapp-deploy-staging', 'arn:aws:iam::444444444444:role/webapp-deploy-production'],
      ],
      BuildLogGroupUsesKey: [
        ['logs.ap-northeast-1.amazonaws.com'],
        ['arn:aws:logs:ap-northeast-1:111111111111:log-group:/aws/codebuild/webapp-build'],
      ],
    });
    const deploy = statements.find((s) => s.sid === 'DeployUsesKey');
    expect(deploy.actions).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  it('denies artifact uploads without TLS or without SSE-KMS, and lets deploy roles only read', () => {
    const base = stacks['pipeline-base'];
    const policy = base.resource.aws_s3_bucket_policy.artifact_store_bucket_policy;
    const statements = Object.fromEntries(policyStatements(base, policy.policy).map((s) => [s.sid, s]));
    expect(statements.DenyInsecureTransport).toMatchObject({ effect: 'Deny', condition: [{ variable: 'aws:SecureTransport', values: ['false'] }] });
    expect(statements.DenyUploadsWithoutKms).toMatchObject({
      effect: 'Deny',
      actions: ['s3:PutObject'],
      condition: [{ test: 'StringNotEquals', variable: 's3:x-amz-server-side-encryption', values: ['aws:kms'] }],
    });
    expect(statements.DeployReadsArtifacts.actions).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:GetBucketLocation',
      's3:GetBucketVersioning',
      's3:ListBucket',
    ]);
    expect(statements.SourceReadsWritesArtifacts.actions).toContain('s3:PutObject');
  });

  it('forwards only the configured branch of the repository to the pipeline account bus', () => {
    const rule = stacks.repository.resource.aws_cloudwatch_event_rule.forward_source_changes;
    expect(rule.event_pattern).toContain('"referenceName" = ["main"]');
    expect(rule.event_pattern).toContain('"arn:aws:codecommit:ap-northeast-1:222222222222:webapp"');
    const target = stacks.repository.resource.aws_cloudwatch_event_target.forward_source_changes_target;
    expect(target.arn).toBe('${data.terraform_remote_state.remote_pipeline_base.outputs.source_event_bus_arn}');
    const busPolicy = stacks['pipeline-base'].resource.aws_cloudwatch_event_bus_policy.source_event_bus_policy;
    expect(policyStatements(stacks['pipeline-base'], busPolicy.policy)[0]).toMatchObject({
      actions: ['events:PutEvents'],
      principals: [{ identifiers: ['arn:aws:iam::222222222222:root'] }],
      condition: [{ variable: 'aws:PrincipalArn', values: ['arn:aws:iam::222222222222:role/webapp-source-forwarder'] }],
    });
  });
});
