import { deployKindOf } from '../deploy-kinds';
import type { PipelineConfig } from './config/schema';
import { accountRootArn, type Naming } from './naming';

/** AWS size limits of the policies that grow with the number of targets. */
export const POLICY_LIMITS = {
  /** All inline policies of one IAM role together, in characters without whitespace. */
  roleInlinePolicies: 10240,
  /** One S3 bucket policy, in bytes. */
  bucketPolicy: 20480,
} as const;

/**
 * Generous allowances for everything in those policies that does not grow
 * with the targets (measured on synthesized policies: at most about 1,800
 * characters for the pipeline role with every source kind, 1,500 for an
 * artifact bucket policy), plus the artifact statements each further region
 * adds to the pipeline role (about 550).
 */
const PIPELINE_ROLE_FIXED = 2500;
const PIPELINE_ROLE_PER_EXTRA_REGION = 700;
const BUCKET_POLICY_FIXED = 2000;

/** Size of a list entry in minified policy JSON: the quoted string and a comma. */
const entry = (text: string) => text.length + 3;

/**
 * Policies that would exceed an AWS size limit, as messages. The estimate
 * follows how the policies grow: the pipeline role names every role its
 * actions run as, and the artifact bucket of each region grants every deploy
 * role there (and its account) that reads artifacts.
 */
export function policyLimitViolations(config: PipelineConfig, naming: Naming): string[] {
  const problems: string[] = [];
  const actionRoles = [
    ...(config.source.kind === 'codecommit' ? [naming.sourceRoleArn] : []),
    ...config.targets.map((target) => naming.deployRoleArn(target)),
  ];
  const roleSize =
    PIPELINE_ROLE_FIXED +
    PIPELINE_ROLE_PER_EXTRA_REGION * naming.extraRegions.length +
    actionRoles.reduce((sum, arn) => sum + entry(arn), 0);
  if (roleSize > POLICY_LIMITS.roleInlinePolicies) {
    problems.push(
      `the pipeline role's policy would be about ${roleSize} characters (it names the role of every action, ` +
        `${actionRoles.length} here); IAM allows ${POLICY_LIMITS.roleInlinePolicies} characters of inline policy per role: ` +
        'split the release into several pipelines, e.g. one that invokes the others (invoke-pipeline targets)',
    );
  }
  for (const region of [config.pipeline.account.region, ...naming.extraRegions]) {
    const readers = config.targets.filter((t) => t.account.region === region && deployKindOf(t).readsArtifacts);
    const accounts = [...new Set(readers.map((t) => t.account.id))];
    const size =
      BUCKET_POLICY_FIXED +
      readers.reduce((sum, t) => sum + entry(naming.deployRoleArn(t)), 0) +
      accounts.reduce((sum, id) => sum + entry(accountRootArn(id)), 0);
    if (size > POLICY_LIMITS.bucketPolicy) {
      problems.push(
        `the artifact bucket policy in ${region} would be about ${size} bytes (it grants ${readers.length} deploy roles); ` +
          `S3 allows ${POLICY_LIMITS.bucketPolicy} bytes per bucket policy: split the release into several pipelines`,
      );
    }
  }
  return problems;
}
