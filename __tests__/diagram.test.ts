import { readFileSync } from 'node:fs';
import { generateConfig } from '../lib/config/generate';
import { DEFAULT_CONFIG_FILE } from '../lib/config/load';
import { diagramMarkdown, EXAMPLE_DIAGRAM_FILE, renderDiagram } from '../lib/verify/diagram';
import { config, exampleConfig, synthesize } from './support/synth';

describe('the topology diagram', () => {
  it('in docs/diagram.md is the one the generator draws for the example (run npm run diagram when this fails)', () => {
    expect(readFileSync(EXAMPLE_DIAGRAM_FILE, 'utf8')).toBe(diagramMarkdown(synthesize(exampleConfig()), DEFAULT_CONFIG_FILE));
  });

  const three = synthesize(config(generateConfig(3)));
  const { topology, applyOrder } = renderDiagram(three);
  const lines = topology.split('\n');

  it('draws one box per account holding its stacks, each with its apply wave', () => {
    for (const account of ['100000000001', '100000000002', '100000000010', '100000000011', '100000000012']) {
      expect(lines).toContain(`  subgraph account_${account}["account ${account} · eu-west-1"]`);
    }
    expect(lines).toContain('    subgraph stack_pipeline_base["stack pipeline-base · apply wave 1"]');
    expect(lines).toContain('    subgraph stack_target_t3["stack target-t3 · apply wave 2"]');
    expect(lines).toContain('    subgraph stack_pipeline["stack pipeline · apply wave 3"]');
  });

  it('shows who may assume which role, from the trust policies', () => {
    for (const target of ['t1', 't2', 't3']) {
      expect(lines).toContain(
        `  pipeline_aws_iam_role_pipeline_role -->|"may assume"| target_${target}_aws_iam_role_deploy_role`,
      );
    }
    expect(lines).toContain(
      '  pipeline_aws_codepipeline_pipeline -.->|"runs as (codepipeline.amazonaws.com)"| pipeline_aws_iam_role_pipeline_role',
    );
  });

  it('shows the artifact and event flows and the keys', () => {
    expect(lines).toContain(
      '  repository_aws_iam_role_source_role -->|"ListsArtifactBucket, ReadsWritesArtifacts"| pipeline_base_aws_s3_bucket_artifact_store_bucket',
    );
    expect(lines).toContain(
      '  target_t2_aws_iam_role_deploy_role -->|"ListsArtifactBucket, ReadsArtifacts"| pipeline_base_aws_s3_bucket_artifact_store_bucket',
    );
    expect(lines).toContain(
      '  repository_aws_codecommit_repository_repository ==>|"change events"| repository_aws_cloudwatch_event_rule_forward_source_changes',
    );
    expect(lines).toContain(
      '  repository_aws_cloudwatch_event_rule_forward_source_changes ==>|"events"| pipeline_base_aws_cloudwatch_event_bus_source_event_bus',
    );
    expect(lines).toContain(
      '  pipeline_aws_cloudwatch_event_rule_start_pipeline ==>|"events"| pipeline_aws_codepipeline_pipeline',
    );
    expect(lines).toContain(
      '  target_t1_aws_s3_bucket_deploy_target_bucket -.-|"encrypted by"| target_t1_aws_kms_key_deploy_target_key',
    );
  });

  it('makes a trust without its aws:PrincipalArn pin visible as the whole account', () => {
    const stacks = structuredClone(three.stacks);
    delete stacks['target-t1'].data.aws_iam_policy_document.deploy_role_trust.statement[0].condition;
    const widened = renderDiagram({ stacks, applyOrder: three.applyOrder }).topology.split('\n');
    expect(widened).toContain('  account_100000000001 -->|"any principal may assume"| target_t1_aws_iam_role_deploy_role');
  });

  it('draws the apply order in waves, one arrow per remote-state dependency', () => {
    expect(applyOrder).toContain('  subgraph wave_2["wave 2"]');
    expect(applyOrder).toContain('  apply_pipeline_base --> apply_target_t3');
    expect(applyOrder).toContain('  apply_target_t3 --> apply_pipeline');
  });
});
