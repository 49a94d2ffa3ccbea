import { Testing } from 'cdktf';
import { generatePlatform } from '../lib/config/generate';
import type { PlatformConfig } from '../lib/config/schema';
import { POLICY_SIZE_LIMITS, policySizes } from '../lib/verify/policy-sizes';
import { buildStacks } from '../main';
import { config } from './support/synth';

// The Terraform Cloud bootstrap's run roles as the platform grows: each trust names the workspaces of one group (the
// foundation's, or one pipeline's) in one account, so its size must not depend on the number of pipelines.
// Only the bootstrap stack is synthesized: it reads nothing from the other stacks but their names, accounts and roles.
const TARGETS = 2;

function terraformCloud(pipelines: number): PlatformConfig {
  const generated = generatePlatform(pipelines, TARGETS);
  return config({ ...generated, platform: { ...generated.platform, backend: { type: 'terraform-cloud', organization: 'acme' } } });
}

/** Trust policy sizes of the bootstrap's run roles, by role ARN. */
function trustSizes(platform: PlatformConfig): Record<string, number> {
  const app = Testing.app();
  buildStacks(app, platform);
  const bootstrap = app.node.findChild('tfc-bootstrap');
  const json = JSON.parse(Testing.synth(bootstrap as never));
  const sizes = policySizes({ stacks: { 'tfc-bootstrap': json }, applyOrder: { waves: [], dependsOn: {} } as never });
  return Object.fromEntries(sizes.filter((s) => s.kind === 'trust policy').map((s) => [s.what, s.size]));
}

describe('the Terraform Cloud run roles of a generated platform', () => {
  const two = trustSizes(terraformCloud(2));
  const twenty = trustSizes(terraformCloud(20));

  it('has trust policies of the same sizes at 2 and at 20 pipelines', () => {
    // The foundation's role and p001's role in each account exist in both; 20 pipelines add roles, not subjects.
    const common = Object.keys(two);
    expect(common).toHaveLength(1 + TARGETS + 2 * (2 + TARGETS));
    for (const role of common) expect([role, twenty[role]]).toEqual([role, two[role]]);
    expect(Math.max(...Object.values(twenty))).toBe(Math.max(...Object.values(two)));
  });

  it('gives every pipeline its own role in each account it works in', () => {
    // Tooling (base, pipeline, repository: the generated repositories account is its own), repos, and TARGETS accounts.
    const pipelineRoles = (sizes: Record<string, number>) => Object.keys(sizes).filter((arn) => arn.endsWith('-tfc-run'));
    expect(pipelineRoles(two)).toHaveLength(2 * (2 + TARGETS));
    expect(pipelineRoles(twenty)).toHaveLength(20 * (2 + TARGETS));
  });

  it('keeps every trust policy inside IAM\'s default limit at 200 pipelines', () => {
    const sizes = trustSizes(terraformCloud(200));
    const over = Object.entries(sizes).filter(([, size]) => size > POLICY_SIZE_LIMITS['trust policy']);
    expect(Object.keys(sizes).length).toBe(200 * (2 + TARGETS) + 1 + TARGETS);
    expect(over).toEqual([]);
  });
});
