import { generateConfig } from '../lib/config/generate';
import { ConfigError, validateConfig } from '../lib/config/load';
import { type ConfigInput, generatedPipeline } from './support/configs';
import { blocks, config, pipelineOf, policyStatements, resourcesOfType, synthesize, type TerraformJson } from './support/synth';

/** Platform `acme` with pipeline `scale` and this backend. */
function withBackend(backend: unknown, base: ConfigInput = generatedPipeline(2)) {
  return config({ ...base, backend });
}

/** Every `${data.<type>.<id>.<attribute>.<output>}` reference in a stack, as [type, id, output]. */
function outputReferences(stack: TerraformJson): Array<[string, string, string]> {
  const text = JSON.stringify(stack);
  return [...text.matchAll(/\$\{data\.(terraform_remote_state|tfe_outputs)\.([\w-]+)\.(?:outputs|nonsensitive_values)\.([\w-]+)\}/g)].map(
    ([, type, id, output]) => [type, id, output],
  );
}

const workspaceStacks = (stacks: Record<string, TerraformJson>) => Object.keys(stacks).filter((name) => name !== 'tfc-bootstrap');

describe('the S3 backend', () => {
  const cfg = withBackend({
    type: 's3',
    bucket: 'acme-terraform-state',
    region: 'eu-central-1',
    keyPrefix: 'pipelines/scale',
    roleArn: 'arn:aws:iam::555555555555:role/terraform-state',
  });
  const { stacks, applyOrder } = synthesize(cfg);
  const location = (name: string) => ({
    bucket: 'acme-terraform-state',
    key: `pipelines/scale/acme/${name}.tfstate`,
    region: 'eu-central-1',
    assume_role: { role_arn: 'arn:aws:iam::555555555555:role/terraform-state' },
  });

  it('keeps each stack in its own encrypted object under the platform\'s name, locked with a lock file by default', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      expect(stack.terraform.backend).toEqual({ s3: { ...location(name), encrypt: true, use_lockfile: true } });
    }
  });

  it('reads a producer at its own key, with the same bucket, region and role', () => {
    for (const [name, stack] of Object.entries(stacks)) {
      const reads = Object.entries<any>(stack.data?.terraform_remote_state ?? {});
      expect(reads.map(([, read]) => read.config.key).sort()).toEqual(
        applyOrder.dependsOn[name].map((producer) => `pipelines/scale/acme/${producer}.tfstate`).sort(),
      );
      for (const [id, read] of reads) {
        const producer = /^pipelines\/scale\/acme\/(.+)\.tfstate$/.exec(read.config.key)![1];
        expect(read).toMatchObject({ backend: 's3', config: location(producer) });
        expect(id).toBe(`remote_${producer.replace(/-/g, '_')}`);
      }
    }
  });

  it('locks with a DynamoDB table instead when one is configured', () => {
    const dynamo = synthesize(
      withBackend({ type: 's3', bucket: 'acme-terraform-state', region: 'eu-central-1', keyPrefix: 'p', locking: { dynamodbTable: 'locks' } }),
    );
    for (const [name, stack] of Object.entries(dynamo.stacks)) {
      expect(stack.terraform.backend).toEqual({
        s3: { bucket: 'acme-terraform-state', key: `p/acme/${name}.tfstate`, region: 'eu-central-1', encrypt: true, dynamodb_table: 'locks' },
      });
    }
  });
});

describe('the Terraform Cloud backend with tfe_outputs (the default)', () => {
  const cfg = withBackend({ type: 'terraform-cloud', organization: 'acme' });
  const { stacks, applyOrder } = synthesize(cfg);

  it('gives every stack its own workspace <platform>-<stack> in the project named after the platform', () => {
    for (const name of workspaceStacks(stacks)) {
      expect(stacks[name].terraform.cloud).toEqual({
        organization: 'acme',
        hostname: 'app.terraform.io',
        workspaces: { name: `acme-${name}`, project: 'acme' },
      });
      expect(stacks[name].terraform.backend).toBeUndefined();
    }
  });

  it('reads outputs with tfe_outputs from exactly the workspaces of the stacks it depends on, never their state', () => {
    for (const name of workspaceStacks(stacks)) {
      const stack = stacks[name];
      expect(stack.data?.terraform_remote_state).toBeUndefined();
      const reads = Object.values<any>(stack.data?.tfe_outputs ?? {});
      const producers = applyOrder.dependsOn[name].filter((p) => p !== 'tfc-bootstrap');
      expect(reads.map((r) => r.workspace).sort()).toEqual(producers.map((p) => `acme-${p}`).sort());
      for (const read of reads) expect(read).toMatchObject({ organization: 'acme', provider: 'tfe' });
      if (reads.length > 0) {
        expect(stack.provider.tfe).toEqual([{ hostname: 'app.terraform.io', organization: 'acme' }]);
        expect(stack.terraform.required_providers.tfe.source).toBe('hashicorp/tfe');
      }
    }
  });

  it('uses only the non-sensitive outputs, and only outputs its producers publish', () => {
    const pipeline = stacks['scale-pipeline'];
    const references = outputReferences(pipeline);
    expect(references.length).toBeGreaterThan(5);
    for (const [type, id, output] of references) {
      expect(type).toBe('tfe_outputs');
      const producer = pipeline.data.tfe_outputs[id].workspace.replace(/^acme-/, '');
      expect(stacks[producer].output[output]).toBeDefined();
    }
    expect(JSON.stringify(pipeline)).not.toMatch(/tfe_outputs\.[\w-]+\.values\./);
  });
});

describe('the Terraform Cloud backend with terraform_remote_state', () => {
  const cfg = withBackend({
    type: 'terraform-cloud',
    organization: 'acme',
    hostname: 'tfe.example.com',
    project: 'Pipelines',
    workspacePrefix: 'pl-',
    outputs: 'remote_state',
  });
  const { stacks, applyOrder } = synthesize(cfg);

  it('names workspaces with the configured prefix and project on the configured host', () => {
    expect(stacks['scale-base'].terraform.cloud).toEqual({
      organization: 'acme',
      hostname: 'tfe.example.com',
      workspaces: { name: 'pl-acme-scale-base', project: 'Pipelines' },
    });
  });

  it('reads each producer through the remote backend pointed at its workspace, with no tfe provider', () => {
    for (const name of workspaceStacks(stacks)) {
      const stack = stacks[name];
      expect(Object.keys(stack.provider)).toEqual(['aws']);
      const reads = Object.values<any>(stack.data?.terraform_remote_state ?? {});
      const producers = applyOrder.dependsOn[name].filter((p) => p !== 'tfc-bootstrap');
      expect(reads.map((r) => r.config.workspaces.name).sort()).toEqual(producers.map((p) => `pl-acme-${p}`).sort());
      for (const read of reads) {
        expect(read).toMatchObject({ backend: 'remote', config: { organization: 'acme', hostname: 'tfe.example.com' } });
      }
    }
  });
});

describe('the Terraform Cloud bootstrap stack', () => {
  const sharedAccount = generatedPipeline(2);
  // The repository lives in the tooling account: one role there must trust the platform's and the pipeline's workspaces.
  if (sharedAccount.source.kind !== 'codecommit') throw new Error('generatedPipeline gives a CodeCommit source');
  sharedAccount.source.account = sharedAccount.pipeline.account;
  const platform = withBackend({ type: 'terraform-cloud', organization: 'acme', bootstrap: { autoApply: true } }, sharedAccount);
  const cfg = pipelineOf(platform);
  const { stacks, applyOrder } = synthesize(platform);
  const bootstrap = stacks['tfc-bootstrap'];
  const names = workspaceStacks(stacks);
  const workspaceRef = (name: string) => `\${tfe_workspace.workspace_${name.replace(/-/g, '_')}.id}`;
  const edges = names.flatMap((consumer) =>
    applyOrder.dependsOn[consumer].filter((p) => p !== 'tfc-bootstrap').map((producer) => [consumer, producer]),
  );

  it('is applied first, with local state, and every workspace stack waits for it', () => {
    expect(applyOrder.waves[0]).toEqual(['tfc-bootstrap']);
    for (const name of names) expect(applyOrder.dependsOn[name]).toContain('tfc-bootstrap');
    expect(bootstrap.terraform.backend).toEqual({ local: { path: '../../../terraform-state/acme/tfc-bootstrap.tfstate' } });
  });

  it('creates the project and one workspace per stack, applying automatically when configured', () => {
    expect(resourcesOfType(bootstrap, 'tfe_project')).toEqual([['project', expect.objectContaining({ name: 'acme' })]]);
    const workspaces = resourcesOfType(bootstrap, 'tfe_workspace');
    expect(workspaces.map(([, w]) => w.name).sort()).toEqual(names.map((n) => `acme-${n}`).sort());
    for (const [, workspace] of workspaces) {
      expect(workspace).toMatchObject({
        project_id: '${tfe_project.project.id}',
        auto_apply: true,
        auto_apply_run_trigger: true,
        // Deleting a workspace deletes the state in it.
        lifecycle: { prevent_destroy: true },
      });
    }
  });

  it('adds a run trigger for every dependency between stacks, and no other', () => {
    const triggers = resourcesOfType(bootstrap, 'tfe_run_trigger').map(([, t]) => [t.workspace_id, t.sourceable_id]);
    expect(triggers.sort()).toEqual(edges.map(([c, p]) => [workspaceRef(c), workspaceRef(p)]).sort());
  });

  it('shares no state at all and lets a read-outputs team token reach only the consuming workspaces', () => {
    for (const [, settings] of resourcesOfType(bootstrap, 'tfe_workspace_settings')) {
      expect(settings).toMatchObject({ global_remote_state: false, remote_state_consumer_ids: [], execution_mode: 'remote' });
    }
    const producers = [...new Set(edges.map(([, p]) => p))].sort();
    const access = resourcesOfType(bootstrap, 'tfe_team_access').map(([, a]) => a);
    expect(access.map((a) => a.workspace_id).sort()).toEqual(producers.map(workspaceRef).sort());
    for (const grant of access) {
      expect(grant.permissions).toEqual([
        { runs: 'read', variables: 'none', state_versions: 'read-outputs', sentinel_mocks: 'none', workspace_locking: false, run_tasks: false },
      ]);
    }
    const tokens = resourcesOfType(bootstrap, 'tfe_variable').filter(([, v]) => v.key === 'TFE_TOKEN').map(([, v]) => v);
    const consumers = [...new Set(edges.map(([c]) => c))].sort();
    expect(tokens.map((t) => t.workspace_id).sort()).toEqual(consumers.map(workspaceRef).sort());
    for (const token of tokens) expect(token).toMatchObject({ sensitive: true, category: 'env' });
  });

  it("in each account, lets the foundation's workspaces assume one run role and each pipeline's workspaces another, in plan and apply", () => {
    if (cfg.source.kind !== 'codecommit') throw new Error('expected a CodeCommit source');
    const repositoryAccount = cfg.source.account.id;
    const accounts = [...new Set([cfg.pipeline.account.id, repositoryAccount, ...cfg.targets.map((t) => t.account.id)])];
    const roles = resourcesOfType(bootstrap, 'aws_iam_role');
    const accountOf: Record<string, string> = {
      platform: cfg.pipeline.account.id,
      'scale-base': cfg.pipeline.account.id,
      'scale-pipeline': cfg.pipeline.account.id,
      'scale-repository': repositoryAccount,
      ...Object.fromEntries(cfg.targets.map((t) => [`scale-target-${t.name}`, t.account.id])),
      ...Object.fromEntries(cfg.targets.map((t) => [`account-${t.account.name}`, t.account.id])),
    };
    const isFoundation = (n: string) => n === 'platform' || n.startsWith('account-');
    // The foundation's role where a foundation stack works (tooling, and the S3 target accounts); the pipeline's everywhere it works.
    const expected = accounts.flatMap((account) => [
      ...(names.some((n) => isFoundation(n) && accountOf[n] === account)
        ? [{ id: `terraform_cloud_role_${account}`, name: 'acme-terraform-cloud', stacks: names.filter((n) => isFoundation(n) && accountOf[n] === account) }]
        : []),
      { id: `terraform_cloud_role_${account}_acme_scale_tfc_run`, name: 'acme-scale-tfc-run', stacks: names.filter((n) => !isFoundation(n) && accountOf[n] === account) },
    ]);
    expect(roles.map(([id]) => id).sort()).toEqual(expected.map((e) => e.id).sort());
    for (const { id, name, stacks: own } of expected) {
      const [, role] = roles.find(([roleId]) => roleId === id)!;
      const account = id.split('_')[3];
      expect(role.name).toBe(name);
      const [trust] = policyStatements(bootstrap, role.assume_role_policy);
      const subjects = own
        .sort()
        .flatMap((n) => ['plan', 'apply'].map((phase) => `organization:acme:project:acme:workspace:acme-${n}:run_phase:${phase}`));
      expect(subjects.length).toBeGreaterThan(0);
      expect(trust).toEqual({
        sid: 'TrustWebIdentitySubjects',
        effect: 'Allow',
        actions: ['sts:AssumeRoleWithWebIdentity'],
        principals: [{ type: 'Federated', identifiers: [`\${aws_iam_openid_connect_provider.oidc_${account}.arn}`] }],
        condition: [
          { test: 'StringEquals', variable: 'app.terraform.io:aud', values: ['aws.workload.identity'] },
          { test: 'StringEquals', variable: 'app.terraform.io:sub', values: subjects },
        ],
      });
      const policy = resourcesOfType(bootstrap, 'aws_iam_role_policy').find(([policyId]) => policyId === `${id}_policy`)![1];
      expect(policyStatements(bootstrap, policy.policy)).toEqual([
        { sid: 'AssumesTerraformRole', effect: 'Allow', actions: ['sts:AssumeRole'], resources: [`arn:aws:iam::${account}:role/terraform`] },
      ]);
    }
    // Tooling: the foundation's role for platform; the pipeline's for base, pipeline and repository.
    expect(expected.find((e) => e.id === `terraform_cloud_role_${cfg.pipeline.account.id}_acme_scale_tfc_run`)!.stacks.sort()).toEqual([
      'scale-base',
      'scale-pipeline',
      'scale-repository',
    ]);
    const oidc = resourcesOfType(bootstrap, 'aws_iam_openid_connect_provider').map(([, p]) => p);
    expect(oidc).toHaveLength(accounts.length);
    for (const provider of oidc) expect(provider).toMatchObject({ url: 'https://app.terraform.io', client_id_list: ['aws.workload.identity'] });
  });

  it('tags what its AWS providers create like every other stack does', () => {
    for (const provider of bootstrap.provider.aws) {
      expect(provider.default_tags).toEqual([{ tags: { platform: 'acme', stack: 'tfc-bootstrap', 'managed-by': 'cdktf' } }]);
    }
  });

  it("switches every workspace to dynamic credentials with its own group's role in its own account", () => {
    const variables = resourcesOfType(bootstrap, 'tfe_variable').map(([, v]) => v);
    for (const name of names) {
      const own = variables.filter((v) => v.workspace_id === workspaceRef(name));
      expect(own.find((v) => v.key === 'TFC_AWS_PROVIDER_AUTH')).toMatchObject({ value: 'true', category: 'env' });
      const account = stacks[name].provider.aws[0].allowed_account_ids[0];
      expect(own.find((v) => v.key === 'TFC_AWS_RUN_ROLE_ARN')).toMatchObject({
        value: `\${aws_iam_role.terraform_cloud_role_${account}${name === 'platform' || name.startsWith('account-') ? '' : '_acme_scale_tfc_run'}.arn}`,
        category: 'env',
      });
    }
  });

  it('gives each consumer workspace its producers\' state when outputs are read with terraform_remote_state', () => {
    const shared = synthesize(withBackend({ type: 'terraform-cloud', organization: 'acme', outputs: 'remote_state' }));
    const settings = resourcesOfType(shared.stacks['tfc-bootstrap'], 'tfe_workspace_settings');
    for (const [, setting] of settings) {
      const producer = names.find((n) => setting.workspace_id === workspaceRef(n))!;
      const consumers = names.filter((n) => shared.applyOrder.dependsOn[n].includes(producer));
      expect(setting.global_remote_state).toBe(false);
      expect([...setting.remote_state_consumer_ids].sort()).toEqual(consumers.map(workspaceRef).sort());
    }
    expect(resourcesOfType(shared.stacks['tfc-bootstrap'], 'tfe_team')).toEqual([]);
  });

  it('gives every resource of every stack a readable address', () => {
    for (const stack of Object.values(stacks)) {
      for (const [, , id] of blocks(stack)) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('uses existing OIDC providers when told to, and can be left out entirely', () => {
    const existing = synthesize(withBackend({ type: 'terraform-cloud', organization: 'acme', bootstrap: { createOidcProvider: false } }));
    const bootstrapStack = existing.stacks['tfc-bootstrap'];
    expect(resourcesOfType(bootstrapStack, 'aws_iam_openid_connect_provider')).toEqual([]);
    const [[, role]] = resourcesOfType(bootstrapStack, 'aws_iam_role');
    expect(policyStatements(bootstrapStack, role.assume_role_policy)[0].principals[0].identifiers[0]).toMatch(
      /^arn:aws:iam::\d{12}:oidc-provider\/app\.terraform\.io$/,
    );
    const without = synthesize(withBackend({ type: 'terraform-cloud', organization: 'acme', bootstrap: { enabled: false } }));
    expect(Object.keys(without.stacks)).not.toContain('tfc-bootstrap');
    expect(without.applyOrder.waves[0]).toEqual(['account-t2', 'account-w1', 'platform']);
  });
});

describe('backend configuration', () => {
  function problems(backend: unknown): string[] {
    try {
      const generated = generateConfig(1);
      validateConfig({ ...generated, platform: { ...generated.platform, backend } });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
      throw error;
    }
    return [];
  }

  it('reports every bad field of a backend with its path', () => {
    expect(problems({ type: 's3', bucket: 'Bad_Bucket', region: 'eu-west-1', keyPrefix: '/leading' })).toEqual([
      expect.stringMatching(/^platform\.backend\.bucket: /),
      expect.stringMatching(/^platform\.backend\.keyPrefix: must be a key prefix/),
    ]);
    expect(problems({ type: 'terraform-cloud', organization: 'acme corp', outputs: 'state' })).toEqual([
      expect.stringMatching(/^platform\.backend\.organization: must be a Terraform Cloud organization name/),
      expect.stringMatching(/^platform\.backend\.outputs: /),
    ]);
    expect(problems({ type: 'consul' })).toEqual([expect.stringMatching(/^platform\.backend\.type: /)]);
  });
});
