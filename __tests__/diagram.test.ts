import { readFileSync } from 'node:fs';
import { generateConfig } from '../lib/config/generate';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load';
import { diagramMarkdown, EXAMPLE_DIAGRAM_FILE, README_FILE, renderDiagram, withReadmeDiagram } from '../lib/verify/diagram';
import { config, exampleConfig, shippedConfigs, synthesize } from './support/synth';

describe('the topology diagram', () => {
  it('in docs/diagram.md is the one the generator draws for the example (run npm run diagram when this fails)', () => {
    expect(readFileSync(EXAMPLE_DIAGRAM_FILE, 'utf8')).toBe(diagramMarkdown(synthesize(exampleConfig()), DEFAULT_CONFIG_FILE));
  });

  it('in the README is the example\'s topology (run npm run diagram when this fails)', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(readme).toContain('```mermaid\nflowchart LR\n');
    expect(readme).toBe(withReadmeDiagram(readme, synthesize(exampleConfig())));
  });

  const three = synthesize(config(generateConfig(3)));
  const { topology, applyOrder } = renderDiagram(three);
  const lines = topology.split('\n');

  it('draws one box per account holding its stacks, each with its apply wave', () => {
    for (const account of ['100000000001', '100000000002', '100000000010', '100000000011', '100000000012']) {
      expect(lines).toContain(`  subgraph account_${account}["account ${account} · eu-west-1"]`);
    }
    expect(lines).toContain('    subgraph stack_platform["stack platform · apply wave 1"]');
    expect(lines).toContain('    subgraph stack_app_base["stack app-base · apply wave 2"]');
    expect(lines).toContain('    subgraph stack_app_target_t3["stack app-target-t3 · apply wave 3"]');
    expect(lines).toContain('    subgraph stack_app_pipeline["stack app-pipeline · apply wave 4"]');
  });

  it('shows who may assume which role, from the trust policies', () => {
    for (const target of ['t1', 't2', 't3']) {
      expect(lines).toContain(
        `  app_pipeline_aws_iam_role_pipeline_role -->|"may assume"| app_target_${target}_aws_iam_role_deploy_role`,
      );
    }
    expect(lines).toContain(
      '  app_pipeline_aws_codepipeline_pipeline -.->|"runs as (codepipeline.amazonaws.com)"| app_pipeline_aws_iam_role_pipeline_role',
    );
  });

  it('shows the artifact and event flows and the keys', () => {
    expect(lines).toContain(
      '  app_repository_aws_iam_role_source_role -->|"ListsArtifactBucket, ReadsWritesArtifacts"| app_base_aws_s3_bucket_artifact_store_bucket',
    );
    expect(lines).toContain(
      '  app_target_t2_aws_iam_role_deploy_role -->|"ListsArtifactBucket, ReadsArtifacts"| app_base_aws_s3_bucket_artifact_store_bucket',
    );
    expect(lines).toContain(
      '  app_repository_aws_codecommit_repository_repository ==>|"change events"| app_repository_aws_cloudwatch_event_rule_forward_source_changes',
    );
    expect(lines).toContain(
      '  app_repository_aws_cloudwatch_event_rule_forward_source_changes ==>|"events"| platform_aws_cloudwatch_event_bus_source_event_bus',
    );
    expect(lines).toContain(
      '  app_pipeline_aws_cloudwatch_event_rule_start_pipeline ==>|"events"| app_pipeline_aws_codepipeline_pipeline',
    );
    expect(lines).toContain(
      '  app_target_t1_aws_s3_bucket_deploy_target_bucket -.-|"encrypted by"| account_a1_aws_kms_key_deploy_key',
    );
  });

  it('makes a trust without its aws:PrincipalArn pin visible as the whole account', () => {
    const stacks = structuredClone(three.stacks);
    delete stacks['app-target-t1'].data.aws_iam_policy_document.deploy_role_trust.statement[0].condition;
    const widened = renderDiagram({ stacks, applyOrder: three.applyOrder }).topology.split('\n');
    expect(widened).toContain('  account_100000000001 -->|"any principal may assume"| app_target_t1_aws_iam_role_deploy_role');
  });

  it('draws the apply order in waves, one arrow per remote-state dependency', () => {
    expect(applyOrder).toContain('  subgraph wave_2["wave 2"]');
    expect(applyOrder).toContain('  apply_app_base --> apply_app_target_t3');
    expect(applyOrder).toContain('  apply_app_target_t3 --> apply_app_pipeline');
  });

  it('draws what the deploy kinds change outside the stacks, the roles their services run as, and a second region', () => {
    const release = renderDiagram(synthesize(shippedConfigs()['config/examples/release-flow.yaml'])).topology.split('\n');
    const stack = 'existing_arn_aws_cloudformation_eu_west_1_222222222222_stack_shop_api';
    expect(release).toContain(`    ${stack}{{"CloudFormation stack<br/>shop-api<br/>(existing)"}}`);
    expect(release).toContain(
      `  shop_target_staging_api_aws_iam_role_deploy_role -->|"CreatesUpdatesStack, ReadsStackEvents"| ${stack}`,
    );
    expect(release).toContain(
      `  ${stack} -.->|"runs as (cloudformation.amazonaws.com)"| shop_target_staging_api_aws_iam_role_cloudformation_execution_role`,
    );
    expect(release).toContain(
      '  shop_target_production_service_aws_codedeploy_app_codedeploy -.->|"runs as (codedeploy.amazonaws.com)"| shop_target_production_service_aws_iam_role_codedeploy_role',
    );
    expect(release).toContain(
      '  shop_target_production_service_aws_iam_role_codedeploy_role -->|"ReplacesTaskSets"| existing_arn_aws_ecs_eu_west_1_333333333333_service_shop_checkout',
    );
    expect(release).toContain(
      '  shop_target_partners_aws_iam_role_deploy_role -->|"StartsPipeline"| existing_arn_aws_codepipeline_eu_west_1_555555555555_shop_partner_feed',
    );
    expect(release).toContain(
      '  shop_base_aws_codestarconnections_connection_source_connection ==>|"pushes (V2 trigger)"| shop_pipeline_aws_codepipeline_pipeline',
    );
    expect(release).toContain(
      '  shop_target_production_us_aws_iam_role_deploy_role -->|"DecryptsArtifacts"| platform_aws_kms_replica_key_artifact_key_us_east_1',
    );
    expect(release).toContain('  subgraph account_111111111111["account 111111111111 · eu-west-1, us-east-1"]');
  });

  it('draws the audit and monitoring flows: trail, access logs, alarms and encrypted topics', () => {
    const lines = renderDiagram(synthesize(exampleConfig())).topology.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '  platform_aws_cloudtrail_audit_trail ==>|"log files"| platform_aws_s3_bucket_audit_trail_bucket',
        '  platform_aws_cloudtrail_audit_trail -.->|"runs as (cloudtrail.amazonaws.com)"| platform_aws_iam_role_audit_trail_logs_role',
        '  webapp_base_aws_s3_bucket_artifact_store_bucket ==>|"access logs"| platform_aws_s3_bucket_access_logs',
        '  api_base_aws_s3_bucket_artifact_store_bucket ==>|"access logs"| platform_aws_s3_bucket_access_logs',
        '  webapp_pipeline_aws_cloudwatch_metric_alarm_notifications_failed_builds_alarm ==>|"alarm"| webapp_pipeline_aws_sns_topic_notifications_topic',
        '  webapp_pipeline_aws_codepipeline_pipeline ==>|"execution events"| webapp_pipeline_aws_cloudwatch_event_rule_notifications_failed_execution',
        '  webapp_pipeline_aws_sns_topic_notifications_topic -.-|"encrypted by"| platform_aws_kms_key_notifications_key',
      ]),
    );
  });

  it("draws the Terraform Cloud bootstrap's part in each account: the tokens each run role admits and the role it leads to", () => {
    const lines = renderDiagram(synthesize(shippedConfigs()['config/examples/terraform-cloud.yaml'])).topology.split('\n');
    const inAccount = (account: string) => lines.slice(lines.indexOf(`  subgraph account_${account}["account ${account} · ap-northeast-1"]`));
    // One part of the stack per account, holding only that account's provider and role.
    expect(inAccount('222222222222').slice(1, 5)).toEqual([
      '    subgraph stack_tfc_bootstrap_222222222222["stack tfc-bootstrap · apply wave 1"]',
      '      tfc_bootstrap_aws_iam_openid_connect_provider_oidc_222222222222[/"OIDC provider<br/>https://app.terraform.io"\\]',
      // The repositories account holds no foundation stack: only the pipeline's run role.
      '      tfc_bootstrap_aws_iam_role_terraform_cloud_role_222222222222_acme_webapp_tfc_run(["role<br/>acme-webapp-tfc-run"])',
      '    end',
    ]);
    expect(lines).toEqual(
      expect.arrayContaining([
        '  tfc_bootstrap_aws_iam_openid_connect_provider_oidc_111111111111 -->|"tokens of workspaces acme-platform may assume"| tfc_bootstrap_aws_iam_role_terraform_cloud_role_111111111111',
        '  tfc_bootstrap_aws_iam_openid_connect_provider_oidc_111111111111 -->|"tokens of workspaces acme-webapp-base, acme-webapp-pipeline may assume"| tfc_bootstrap_aws_iam_role_terraform_cloud_role_111111111111_acme_webapp_tfc_run',
        '  tfc_bootstrap_aws_iam_role_terraform_cloud_role_111111111111 -->|"may assume (AssumesTerraformRole)"| existing_arn_aws_iam_111111111111_role_terraform',
        '    existing_arn_aws_iam_111111111111_role_terraform{{"role<br/>terraform<br/>(existing)"}}',
      ]),
    );
    // The alerts filter the Terraform role out; it is no source of change events.
    expect(lines.filter((l) => l.includes('role_terraform ==>'))).toEqual([]);
  });

  it('draws the object events of an S3 source starting the pipeline', () => {
    const lines = renderDiagram(synthesize(shippedConfigs()['config/examples/s3-source-containers.yaml'])).topology.split('\n');
    expect(lines).toContain(
      '  checkout_base_aws_s3_bucket_source_bucket ==>|"object events"| checkout_pipeline_aws_cloudwatch_event_rule_start_pipeline',
    );
  });
});
