import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CodebuildProject } from '@cdktf/provider-aws/lib/codebuild-project';
import { CodecommitRepository } from '@cdktf/provider-aws/lib/codecommit-repository';
import { Codepipeline } from '@cdktf/provider-aws/lib/codepipeline';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { Testing, type TerraformStack } from 'cdktf';
import { buildStacks } from '../main';
import { exampleConfig } from './support/synth';

/** Each stack of the example synthesized on its own with cdktf's Testing (no stack crosses into another). */
function stackOf(name: string): string {
  const app = Testing.app();
  buildStacks(app, exampleConfig());
  return Testing.synth(app.node.findChild(name) as TerraformStack);
}

describe('platform stack', () => {
  const synth = stackOf('platform');

  it('assumes the Terraform role of the tooling account only', () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, {
      alias: 'tooling',
      region: 'ap-northeast-1',
      allowed_account_ids: ['111111111111'],
      assume_role: [{ role_arn: 'arn:aws:iam::111111111111:role/terraform', session_name: 'cdktf-platform' }],
    });
  });

  it("creates the platform's one artifact key with rotation, and its alias", () => {
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true, multi_region: true, provider: 'aws.tooling' });
    expect(synth).toHaveResourceWithProperties(KmsAlias, { name: 'alias/acme-artifacts' });
  });
});

describe('account stacks', () => {
  it.each([
    ['account-staging', 'staging', '333333333333'],
    ['account-production', 'production', '444444444444'],
  ])('%s keeps the deploy key and the access-log bucket its pipelines share', (stack, name, account) => {
    const synth = stackOf(stack);
    expect(synth).toHaveProviderWithProperties(AwsProvider, { alias: name, allowed_account_ids: [account] });
    expect(synth).toHaveResourceWithProperties(KmsAlias, { name: 'alias/acme-deploy' });
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: `acme-deploy-logs-${account}-ap-northeast-1` });
  });
});

describe('pipeline base stacks', () => {
  const synth = stackOf('webapp-base');

  it('creates no key: the artifact bucket, named after platform, pipeline, account and region, uses the platform key', () => {
    expect(synth).not.toHaveResource(KmsKey);
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: 'acme-artifacts-webapp-111111111111-ap-northeast-1' });
    expect(synth).toHaveResourceWithProperties(S3BucketOwnershipControls, { rule: { object_ownership: 'BucketOwnerEnforced' } });
  });
});

describe('repository stack', () => {
  const synth = stackOf('webapp-repository');

  it('creates the repository and the source role in the repository account', () => {
    expect(synth).toHaveProviderWithProperties(AwsProvider, { alias: 'repository', allowed_account_ids: ['222222222222'] });
    expect(synth).toHaveResourceWithProperties(CodecommitRepository, { repository_name: 'webapp', lifecycle: { prevent_destroy: true } });
    expect(synth).toHaveResourceWithProperties(IamRole, { name: 'acme-webapp-source' });
    expect(synth).toHaveResourceWithProperties(IamRole, { name: 'acme-webapp-source-forwarder' });
  });

  it('forwards change events from the default bus', () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchEventRule, { name: 'acme-webapp-forward-source-changes' });
    expect(synth).not.toHaveResourceWithProperties(CloudwatchEventRule, { event_bus_name: expect.anything() });
  });
});

describe('target stacks', () => {
  it.each([
    ['webapp-target-staging', 'staging', '333333333333'],
    ['webapp-target-production', 'production', '444444444444'],
  ])('%s deploys into its own account with its own role and bucket, and no key of its own', (stack, name, account) => {
    const synth = stackOf(stack);
    expect(synth).toHaveProviderWithProperties(AwsProvider, { alias: name, allowed_account_ids: [account] });
    expect(synth).toHaveResourceWithProperties(IamRole, { name: `acme-webapp-deploy-${name}` });
    expect(synth).toHaveResourceWithProperties(S3Bucket, { bucket: `acme-webapp-${name}-${account}-ap-northeast-1` });
    expect(synth).not.toHaveResource(KmsKey);
  });
});

describe('pipeline stack', () => {
  const synth = stackOf('webapp-pipeline');

  it('creates the V2 pipeline, the build project and the encrypted approval topic', () => {
    expect(synth).toHaveResourceWithProperties(Codepipeline, { name: 'acme-webapp', pipeline_type: 'V2' });
    expect(synth).toHaveResourceWithProperties(CodebuildProject, {
      name: 'acme-webapp-build',
      environment: expect.objectContaining({ privileged_mode: false, compute_type: 'BUILD_GENERAL1_SMALL' }),
    });
    expect(synth).toHaveResourceWithProperties(SnsTopic, { name: 'acme-webapp-approvals' });
  });

  it('starts the pipeline from the source event bus', () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchEventRule, {
      name: 'acme-webapp-start-pipeline',
      event_bus_name: '${data.terraform_remote_state.remote_webapp_base.outputs.source_event_bus_name}',
    });
  });
});
