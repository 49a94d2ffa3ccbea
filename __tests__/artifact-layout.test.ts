import { artifactKeys, artifactPrefix, BUILD_ARTIFACT, prefixCollisions, SOURCE_ARTIFACT } from '../lib/artifact-layout';
import { account, baseConfig, connectionSource } from './support/configs';
import { config, synthesize } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
describe("CodePipeline's artifact object layout", () => {
  it('keys an artifact by the first 20 characters of the pipeline name and the first 10 of the artifact name', () => {
    expect(artifactPrefix('CodeBuild-Python-Pipeline', 'SourceArtifact')).toBe('CodeBuild-Python-Pip/SourceArti/');
    expect(artifactPrefix('acme-api', SOURCE_ARTIFACT)).toBe('acme-api/source_out/');
    expect(artifactKeys('acme-api', BUILD_ARTIFACT)).toBe('acme-api/build_outp/*');
  });

  it('finds artifact names whose truncated prefixes collide', () => {
    expect(prefixCollisions([SOURCE_ARTIFACT, BUILD_ARTIFACT])).toEqual([]);
    expect(prefixCollisions(['build_output', 'build_outputs_test', 'source_output'])).toEqual([['build_output', 'build_outputs_test']]);
  });
});

describe('roles use only the artifacts they write or read', () => {
  const targets = [
    { name: 'site', account: account('300000000001'), deploy: { kind: 's3' as const } },
    { name: 'oregon', account: account('300000000002', 'us-west-2'), deploy: { kind: 's3' as const } },
  ];
  const { stacks } = synthesize(config(baseConfig(targets)));
  const bucket = '${data.terraform_remote_state.remote_rel_base.outputs.artifact_bucket_arn}';
  const statements = (stack: string, document: string) => stacks[stack].data.aws_iam_policy_document[document].statement;
  const bySid = (list: any[], sid: string) => list.find((s) => s.sid === sid);

  it('the CodeCommit source role writes only the source artifact, and may set its ACL', () => {
    const writes = bySid(statements('rel-repository', 'source_role_permissions'), 'ReadsWritesArtifacts');
    expect(writes.resources).toEqual([`${bucket}/acme-rel/source_out/*`]);
    expect(writes.actions).toEqual(['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:PutObjectAcl']);
  });

  it("the bucket policy grants the source role and the deploy roles of the pipeline's region only their prefixes", () => {
    const policy = statements('rel-base', 'artifact_store_bucket_policy_document');
    const objects = 'arn:aws:s3:::acme-artifacts-rel-100000000001-eu-west-1';
    expect(bySid(policy, 'SourceReadsWritesArtifacts')).toMatchObject({
      actions: expect.arrayContaining(['s3:PutObject', 's3:PutObjectAcl']),
      resources: [`${objects}/acme-rel/source_out/*`, objects],
    });
    expect(bySid(policy, 'DeployReadsArtifacts').resources).toEqual([`${objects}/acme-rel/build_outp/*`, objects]);
  });

  it('a deploy role reads only the build output in the pipeline region, the copies bucket in another region', () => {
    expect(bySid(statements('rel-target-site', 'deploy_role_permissions'), 'ReadsArtifacts').resources).toEqual([
      `${bucket}/acme-rel/build_outp/*`,
    ]);
    expect(bySid(statements('rel-target-oregon', 'deploy_role_permissions'), 'ReadsArtifacts').resources).toEqual([
      '${data.terraform_remote_state.remote_rel_base.outputs.artifact_bucket_arn_us_west_2}/*',
    ]);
  });

  it('the pipeline role of a connection source may set the ACL of the source artifact only', () => {
    const connection = synthesize(config({ ...baseConfig(targets.slice(0, 1)), source: connectionSource })).stacks;
    const acl = connection['rel-pipeline'].data.aws_iam_policy_document.pipeline_role_permissions.statement.find(
      (s: any) => s.sid === 'SetsSourceArtifactAcl',
    );
    expect(acl).toMatchObject({ actions: ['s3:PutObjectAcl'], resources: [`${bucket}/acme-rel/source_out/*`] });
  });
});
