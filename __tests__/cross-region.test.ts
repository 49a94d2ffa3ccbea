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
const base = stacks['pipeline-base'];
const pipeline = stacks.pipeline.resource.aws_codepipeline.pipeline;
const output = (name: string) => `\${data.terraform_remote_state.remote_pipeline_base.outputs.${name}}`;

describe('a target in another region than the pipeline', () => {
  it('gets an artifact store in its region, through a provider of that region with the same role and guards', () => {
    const [home, oregon] = base.provider.aws;
    expect(oregon).toEqual({ ...home, alias: 'pipeline-us-west-2', region: 'us-west-2' });
    expect(base.resource.aws_s3_bucket.artifact_store_us_west_2_bucket).toMatchObject({
      bucket: 'rel-artifacts-100000000001-us-west-2',
      provider: 'aws.pipeline-us-west-2',
      lifecycle: { prevent_destroy: true },
    });
  });

  it('logs that store\'s access into a log bucket of the same account and region (S3 delivers nowhere else)', () => {
    expect(base.resource.aws_s3_bucket.access_logs_us_west_2).toMatchObject({
      bucket: 'rel-access-logs-100000000001-us-west-2',
      provider: 'aws.pipeline-us-west-2',
    });
    expect(base.resource.aws_s3_bucket_logging.artifact_store_us_west_2_bucket_access_logs).toMatchObject({
      bucket: '${aws_s3_bucket.artifact_store_us_west_2_bucket.id}',
      target_bucket: '${aws_s3_bucket.access_logs_us_west_2.bucket}',
      provider: 'aws.pipeline-us-west-2',
    });
    const delivery = base.data.aws_iam_policy_document.access_logs_us_west_2_policy_document.statement.find(
      (s: any) => s.sid === 'S3DeliversAccessLogs',
    );
    expect(delivery.condition[0].values).toEqual(['arn:aws:s3:::rel-artifacts-100000000001-us-west-2']);
  });

  it('encrypts that store with a replica of the one multi-region key, so every store has the same key id', () => {
    expect(base.resource.aws_kms_key.artifact_store_key.multi_region).toBe(true);
    expect(base.resource.aws_kms_replica_key.artifact_store_us_west_2_key).toMatchObject({
      primary_key_arn: '${aws_kms_key.artifact_store_key.arn}',
      provider: 'aws.pipeline-us-west-2',
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(base.resource.aws_kms_alias.artifact_store_us_west_2_key_alias).toMatchObject({
      name: 'alias/rel-artifacts',
      target_key_id: '${aws_kms_replica_key.artifact_store_us_west_2_key.key_id}',
    });
    const sse = base.resource.aws_s3_bucket_server_side_encryption_configuration.artifact_store_us_west_2_bucket_encryption;
    expect(sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id).toBe(
      '${aws_kms_replica_key.artifact_store_us_west_2_key.arn}',
    );
  });

  it('grants each region\'s key and bucket only to the pipeline role and the deploy roles that read artifacts there', () => {
    const replica = base.resource.aws_kms_replica_key.artifact_store_us_west_2_key;
    const grants = Object.fromEntries(
      policyStatements(base, replica.policy)
        .filter((s) => s.condition)
        .map((s) => [s.sid, s.condition[0].values]),
    );
    expect(grants).toEqual({
      PipelineUsesKey: ['arn:aws:iam::100000000001:role/rel-pipeline'],
      DeployUsesKey: ['arn:aws:iam::300000000002:role/rel-deploy-oregon'],
    });
    const primary = policyStatements(base, base.resource.aws_kms_key.artifact_store_key.policy);
    expect(primary.find((s) => s.sid === 'DeployUsesKey').condition[0].values).toEqual([
      'arn:aws:iam::300000000001:role/rel-deploy-home',
    ]);
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
    const statements = stacks.pipeline.data.aws_iam_policy_document.pipeline_role_permissions.statement;
    expect(statements.find((s: any) => s.sid === 'EncryptsDecryptsArtifactsUsWest2').resources).toEqual([
      output('artifact_key_arn_us_west_2'),
    ]);
  });

  it('runs the deploy action in the target region, as a role that may read only the store of that region', () => {
    const deploy = pipeline.stage.flatMap((s: any) => s.action).find((a: any) => a.name === 'Deploy-oregon');
    expect(deploy.region).toBe('us-west-2');
    const role = stacks['target-oregon'].data.aws_iam_policy_document.deploy_role_permissions.statement;
    expect(role.find((s: any) => s.sid === 'DecryptsArtifacts').resources).toEqual([output('artifact_key_arn_us_west_2')]);
    expect(role.find((s: any) => s.sid === 'ReadsArtifacts').resources).toEqual([`${output('artifact_bucket_arn_us_west_2')}/*`]);
  });

  it('keeps the source action in the pipeline region', () => {
    expect(pipeline.stage[0].action[0].region).toBeUndefined();
    expect(stacks.repository.provider.aws).toEqual([expect.objectContaining({ region: 'eu-west-1' })]);
  });
});
