import { account, baseConfig } from './support/configs';
import { config, policyStatements, synthesize } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
const cfg = config(
  baseConfig([
    { name: 'home', account: account('300000000001'), deploy: { kind: 's3' } },
    { name: 'oregon', account: account('300000000002', 'us-west-2'), deploy: { kind: 's3' } },
    {
      name: 'oregon-next',
      account: account('300000000003', 'us-west-2'),
      deploy: { kind: 'invoke-pipeline', pipelineName: 'next' },
    },
  ]),
);
const { stacks } = synthesize(cfg);
const base = stacks["rel-base"];
const platform = stacks.platform;
const pipeline = stacks["rel-pipeline"].resource.aws_codepipeline.pipeline;
const output = (name: string) => `\${data.terraform_remote_state.remote_rel_base.outputs.${name}}`;

describe('a target in another region than the pipeline', () => {
  it('gets an artifact store in its region, through a provider of that region with the same role and guards', () => {
    const [home, oregon] = base.provider.aws;
    expect(oregon).toEqual({ ...home, alias: 'tooling-us-west-2', region: 'us-west-2' });
    expect(base.resource.aws_s3_bucket.artifact_store_us_west_2_bucket).toMatchObject({
      bucket: 'acme-artifacts-rel-100000000001-us-west-2',
      provider: 'aws.tooling-us-west-2',
      lifecycle: { prevent_destroy: true },
    });
  });

  it("logs that store's access into the platform's log bucket of the same account and region (S3 delivers nowhere else)", () => {
    expect(platform.resource.aws_s3_bucket.access_logs_us_west_2).toMatchObject({
      bucket: 'acme-access-logs-100000000001-us-west-2',
      provider: 'aws.tooling-us-west-2',
    });
    expect(base.resource.aws_s3_bucket_logging.artifact_store_us_west_2_bucket_access_logs).toMatchObject({
      bucket: '${aws_s3_bucket.artifact_store_us_west_2_bucket.id}',
      target_bucket: 'acme-access-logs-100000000001-us-west-2',
      provider: 'aws.tooling-us-west-2',
    });
    const delivery = platform.data.aws_iam_policy_document.access_logs_us_west_2_policy_document.statement.find(
      (s: any) => s.sid === 'S3DeliversAccessLogs',
    );
    expect(delivery.condition[0].values).toEqual(['arn:aws:s3:::acme-*']);
  });

  it("encrypts that store with the platform's replica of its one multi-region key, so every store has the same key id", () => {
    expect(platform.resource.aws_kms_key.artifact_key.multi_region).toBe(true);
    expect(platform.resource.aws_kms_replica_key.artifact_key_us_west_2).toMatchObject({
      primary_key_arn: '${aws_kms_key.artifact_key.arn}',
      provider: 'aws.tooling-us-west-2',
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(platform.resource.aws_kms_alias.artifact_key_us_west_2_alias).toMatchObject({
      name: 'alias/acme-artifacts',
      target_key_id: '${aws_kms_replica_key.artifact_key_us_west_2.key_id}',
    });
    const sse = base.resource.aws_s3_bucket_server_side_encryption_configuration.artifact_store_us_west_2_bucket_encryption;
    // The base stack reads the key from the platform and passes it on to the pipeline's other stacks.
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(
      '${data.terraform_remote_state.remote_platform.outputs.artifact_key_arn_us_west_2}',
    );
    expect(base.output.artifact_key_arn_us_west_2.value).toBe(
      '${data.terraform_remote_state.remote_platform.outputs.artifact_key_arn_us_west_2}',
    );
  });

  it("grants each region's key only through S3 of that region, and each bucket only to the roles that use artifacts there", () => {
    const replica = policyStatements(platform, platform.resource.aws_kms_replica_key.artifact_key_us_west_2.policy);
    expect(replica.find((s) => s.sid === 'ServedAccountRolesUseKey').condition[1]).toEqual({
      test: 'StringEquals',
      variable: 'kms:ViaService',
      values: ['s3.us-west-2.amazonaws.com'],
    });
    const bucketGrants = (bucket: string) =>
      Object.fromEntries(
        policyStatements(base, base.resource.aws_s3_bucket_policy[`${bucket}_policy`].policy)
          .filter((s) => s.condition?.[0]?.variable === 'aws:PrincipalArn')
          .map((s) => [s.sid, s.condition[0].values]),
      );
    expect(bucketGrants('artifact_store_us_west_2_bucket')).toEqual({
      DeployReadsArtifacts: ['arn:aws:iam::300000000002:role/acme-rel-deploy-oregon'],
    });
    expect(bucketGrants('artifact_store_bucket').DeployReadsArtifacts).toEqual(['arn:aws:iam::300000000001:role/acme-rel-deploy-home']);
    const primary = policyStatements(platform, platform.resource.aws_kms_key.artifact_key.policy);
    expect(primary.find((s) => s.sid === 'OwnerAccountAdministers').actions).toContain('kms:ReplicateKey');
  });

  it('lets the pipeline use a store per region, and its role use each', () => {
    expect(pipeline.artifact_store).toEqual([
      {
        type: 'S3',
        region: 'eu-west-1',
        location: output('artifact_bucket_name'),
        encryption_key: { type: 'KMS', id: output('artifact_key_arn') },
      },
      {
        type: 'S3',
        region: 'us-west-2',
        location: output('artifact_bucket_name_us_west_2'),
        encryption_key: { type: 'KMS', id: output('artifact_key_arn_us_west_2') },
      },
    ]);
    const statements = stacks["rel-pipeline"].data.aws_iam_policy_document.pipeline_role_permissions.statement;
    expect(statements.find((s: any) => s.sid === 'EncryptsDecryptsArtifactsUsWest2').resources).toEqual([
      output('artifact_key_arn_us_west_2'),
    ]);
  });

  it('runs the deploy action in the target region, as a role that may read only the store of that region', () => {
    const deploy = pipeline.stage.flatMap((s: any) => s.action).find((a: any) => a.name === 'Deploy-oregon');
    expect(deploy.region).toBe('us-west-2');
    const role = stacks["rel-target-oregon"].data.aws_iam_policy_document.deploy_role_permissions.statement;
    expect(role.find((s: any) => s.sid === 'DecryptsArtifacts').resources).toEqual([output('artifact_key_arn_us_west_2')]);
    expect(role.find((s: any) => s.sid === 'ReadsArtifacts').resources).toEqual([`${output('artifact_bucket_arn_us_west_2')}/*`]);
  });

  it('keeps the source action in the pipeline region', () => {
    expect(pipeline.stage[0].action[0].region).toBeUndefined();
    expect(stacks["rel-repository"].provider.aws).toEqual([expect.objectContaining({ region: 'eu-west-1' })]);
  });
});
