import { isAbsolute } from 'node:path';
import { Naming } from '../lib/naming';
import { account, baseConfig, connectionSource, everyKindTargets, generatedPipeline, s3Source } from './support/configs';
import { blocks, config, exampleConfig, pipelineOf, policyStatements, resourcesOfType, synthesize, type TerraformJson } from './support/synth';

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
  'three targets in three accounts': config(generatedPipeline(3)),
  'one target, existing repository, unprotected': config({
    ...generatedPipeline(1),
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

describe.each(Object.entries(configurations))('the whole app for %s', (_label, platform) => {
  const { stacks, applyOrder } = synthesize(platform);
  const cfg = pipelineOf(platform);
  const naming = new Naming(cfg);
  const codeCommit = cfg.source.kind === 'codecommit' ? cfg.source : undefined;
  const tooling = platform.tooling;
  const s3Accounts = platform.accounts.filter((a) => cfg.targets.some((t) => t.deploy.kind === 's3' && t.account.id === a.id));
  /** Every stack the platform should have, with the account, role, provider alias and home region it works in. */
  const expected: Record<string, { id: string; role: string; alias: string; region: string; pipeline?: string }> = {
    platform: { ...tooling, alias: 'tooling' },
    ...Object.fromEntries(s3Accounts.map((a) => [`account-${a.name}`, { id: a.id, role: a.role, alias: a.name, region: tooling.region }])),
    [naming.pipelineBaseStack]: { ...tooling, alias: 'tooling', pipeline: cfg.name },
    [naming.pipelineStack]: { ...tooling, alias: 'tooling', pipeline: cfg.name },
    ...(codeCommit ? { [naming.repositoryStack]: { ...codeCommit.account, alias: 'repository', pipeline: cfg.name } } : {}),
    ...Object.fromEntries(cfg.targets.map((t) => [naming.targetStack(t), { ...t.account, alias: t.name, pipeline: cfg.name }])),
  };

  it('has the platform stack, one per account that receives S3 releases, and the pipeline\'s: base, pipeline, repository for CodeCommit, one per target', () => {
    expect(Object.keys(stacks).sort()).toEqual(Object.keys(expected).sort());
  });

  it('gives each stack aliased providers (one per region it uses) that assume the configured role in exactly its account', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      const { id, role, alias, region, pipeline } = expected[name];
      expect(Object.keys(stack.provider)).toEqual(['aws']);
      const [own, ...regional] = stack.provider.aws;
      expect(own).toMatchObject({ alias, region });
      for (const provider of regional) expect(provider.alias).toBe(`${alias}-${provider.region}`);
      for (const provider of stack.provider.aws) {
        expect(provider.allowed_account_ids).toEqual([id]);
        expect(provider.assume_role).toEqual([{ role_arn: role, session_name: `cdktf-${name}` }]);
        expect(provider.default_tags).toEqual([
          { tags: { platform: platform.name, ...(pipeline ? { pipeline } : {}), stack: name, 'managed-by': 'cdktf' } },
        ]);
      }
    }
    const extraRegions = [...new Set(cfg.targets.map((t) => t.account.region))].filter((r) => r !== tooling.region);
    expect(stacks[naming.pipelineBaseStack].provider.aws.slice(1).map((p: any) => p.region).sort()).toEqual(extraRegions.sort());
    expect(stacks.platform.provider.aws.slice(1).map((p: any) => p.region)).toEqual(platform.regions.slice(1));
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
      expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform-state/${platform.name}/${name}.tfstate` } });
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

  it('writes an apply order without cycles: the foundation first, the pipeline last, after every other stack of it', () => {
    const own = naming.allStacks().filter((name) => name !== naming.pipelineStack);
    expect(applyOrder.waves[0]).toContain('platform');
    expect(applyOrder.waves.at(-1)).toEqual([naming.pipelineStack]);
    expect(applyOrder.order).toEqual(applyOrder.waves.flat());
    expect(applyOrder.dependsOn[naming.pipelineStack]).toEqual(own.sort());
    expect(applyOrder.dependsOn[naming.pipelineBaseStack]).toEqual(['platform']);
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
    const protect = platform.protectStatefulResources;
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
      const repository = stacks[naming.repositoryStack];
      expect(resourcesOfType(repository, 'aws_codecommit_repository')).toHaveLength(codeCommit.create ? 1 : 0);
      expect(Object.keys(repository.data?.aws_codecommit_repository ?? {})).toHaveLength(codeCommit.create ? 0 : 1);
    }
  });

  it('never puts an external id on a trust policy: CodePipeline cannot pass one', () => {
    expect(JSON.stringify(stacks)).not.toContain('sts:ExternalId');
  });

  it('lets each deploy role be assumed only by the pipeline role, and only from the pipeline account', () => {
    const pipelineRole = `arn:aws:iam::${cfg.pipeline.account.id}:role/${cfg.project}-pipeline`;
    for (const target of cfg.targets) {
      const stack = stacks[naming.targetStack(target)];
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
  const pipeline = stacks['webapp-pipeline'].resource.aws_codepipeline.pipeline;

  it('is a V2 pipeline whose artifact store is encrypted with the customer key', () => {
    expect(pipeline.pipeline_type).toBe('V2');
    expect(pipeline.execution_mode).toBe('QUEUED');
    expect(pipeline.artifact_store).toEqual([
      {
        type: 'S3',
        location: '${data.terraform_remote_state.remote_webapp_base.outputs.artifact_bucket_name}',
        encryption_key: { type: 'KMS', id: '${data.terraform_remote_state.remote_webapp_base.outputs.artifact_key_arn}' },
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
    const topic = stacks['webapp-pipeline'].resource.aws_sns_topic.approval_topic;
    expect(topic.kms_master_key_id).toBe('${data.terraform_remote_state.remote_webapp_base.outputs.artifact_key_arn}');
  });

  it('runs the CodeCommit source action as the repository account role, without polling', () => {
    expect(pipeline.stage[0].action[0]).toMatchObject({
      category: 'Source',
      provider: 'CodeCommit',
      namespace: 'SourceVariables',
      role_arn: '${data.terraform_remote_state.remote_webapp_repository.outputs.source_role_arn}',
      configuration: { BranchName: 'main', PollForSourceChanges: 'false' },
    });
  });

  it('extracts the build into each target bucket as that target deploy role', () => {
    const deploy = pipeline.stage[4].action[0];
    expect(deploy).toMatchObject({
      category: 'Deploy',
      provider: 'S3',
      input_artifacts: ['build_output'],
      role_arn: '${data.terraform_remote_state.remote_webapp_target_production.outputs.deploy_role_arn}',
      configuration: {
        BucketName: '${data.terraform_remote_state.remote_webapp_target_production.outputs.deploy_bucket_name}',
        Extract: 'true',
        ObjectKey: 'release/',
      },
    });
  });

  it('lets the pipeline role assume exactly the source and deploy roles', () => {
    const role = stacks['webapp-pipeline'].resource.aws_iam_role_policy.pipeline_role_policy;
    const assume = policyStatements(stacks['webapp-pipeline'], role.policy).find((s) => s.sid === 'AssumesActionRoles');
    expect(assume.resources).toEqual([
      '${data.terraform_remote_state.remote_webapp_repository.outputs.source_role_arn}',
      '${data.terraform_remote_state.remote_webapp_target_staging.outputs.deploy_role_arn}',
      '${data.terraform_remote_state.remote_webapp_target_production.outputs.deploy_role_arn}',
    ]);
  });

  it("grants the platform's artifact key to the platform's roles by account and name pattern, only through S3 (or SNS)", () => {
    const key = stacks.platform.resource.aws_kms_key.artifact_key;
    const statements = policyStatements(stacks.platform, key.policy);
    const grants = Object.fromEntries(
      statements.filter((s) => s.condition).map((s) => [s.sid, [s.principals[0].identifiers, ...s.condition.map((c: any) => [c.test, c.values])]]),
    );
    expect(grants).toEqual({
      ToolingRolesUseKey: [
        ['arn:aws:iam::111111111111:root'],
        ['ArnLike', ['arn:aws:iam::111111111111:role/acme-*']],
        ['StringEquals', ['s3.ap-northeast-1.amazonaws.com', 'sns.ap-northeast-1.amazonaws.com']],
      ],
      ToolingRolesUseKeyDescribe: [['arn:aws:iam::111111111111:root'], ['ArnLike', ['arn:aws:iam::111111111111:role/acme-*']]],
      ServedAccountRolesUseKey: [
        ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root', 'arn:aws:iam::444444444444:root'],
        [
          'ArnLike',
          ['arn:aws:iam::222222222222:role/acme-*', 'arn:aws:iam::333333333333:role/acme-*', 'arn:aws:iam::444444444444:role/acme-*'],
        ],
        ['StringEquals', ['s3.ap-northeast-1.amazonaws.com']],
      ],
      ServedAccountRolesUseKeyDescribe: [
        ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root', 'arn:aws:iam::444444444444:root'],
        [
          'ArnLike',
          ['arn:aws:iam::222222222222:role/acme-*', 'arn:aws:iam::333333333333:role/acme-*', 'arn:aws:iam::444444444444:role/acme-*'],
        ],
      ],
      BuildLogGroupsUseKey: [
        ['logs.ap-northeast-1.amazonaws.com'],
        ['ArnLike', ['arn:aws:logs:ap-northeast-1:111111111111:log-group:/aws/codebuild/acme-*']],
      ],
    });
  });

  it("lets each pipeline's artifact bucket admit only its own roles of other accounts", () => {
    const grants = (pipeline: string) => {
      const base = stacks[`${pipeline}-base`];
      const policy = base.resource.aws_s3_bucket_policy.artifact_store_bucket_policy;
      return policyStatements(base, policy.policy)
        .filter((s) => s.condition?.[0]?.variable === 'aws:PrincipalArn')
        .flatMap((s) => s.condition[0].values);
    };
    expect(grants('webapp')).toEqual([
      'arn:aws:iam::222222222222:role/acme-webapp-source',
      'arn:aws:iam::333333333333:role/acme-webapp-deploy-staging',
      'arn:aws:iam::444444444444:role/acme-webapp-deploy-production',
    ]);
    expect(grants('api')).toEqual([
      'arn:aws:iam::222222222222:role/acme-api-source',
      'arn:aws:iam::333333333333:role/acme-api-deploy-staging',
      'arn:aws:iam::444444444444:role/acme-api-deploy-production',
    ]);
  });

  it('denies artifact uploads without TLS or without SSE-KMS, and lets deploy roles only read', () => {
    const base = stacks['webapp-base'];
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
    const rule = stacks['webapp-repository'].resource.aws_cloudwatch_event_rule.forward_source_changes;
    expect(rule.event_pattern).toContain('"referenceName" = ["main"]');
    expect(rule.event_pattern).toContain('"arn:aws:codecommit:ap-northeast-1:222222222222:webapp"');
    const target = stacks['webapp-repository'].resource.aws_cloudwatch_event_target.forward_source_changes_target;
    expect(target.arn).toBe('${data.terraform_remote_state.remote_webapp_base.outputs.source_event_bus_arn}');
    // The bus is the platform's: its policy names served accounts and a role pattern, never a pipeline.
    const busPolicy = stacks.platform.resource.aws_cloudwatch_event_bus_policy.source_event_bus_policy;
    expect(policyStatements(stacks.platform, busPolicy.policy)[0]).toMatchObject({
      actions: ['events:PutEvents'],
      principals: [{ identifiers: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root', 'arn:aws:iam::444444444444:root'] }],
      condition: [
        {
          test: 'ArnLike',
          variable: 'aws:PrincipalArn',
          values: [
            'arn:aws:iam::222222222222:role/acme-*-source-forwarder',
            'arn:aws:iam::333333333333:role/acme-*-source-forwarder',
            'arn:aws:iam::444444444444:role/acme-*-source-forwarder',
          ],
        },
      ],
    });
  });
});
