import { deployKindOf } from '../deploy-kinds';
import { executionRoleStatements } from '../deploy-kinds/cloudformation';
import { boundaryStatements, type BoundaryExtension } from '../modules/permissions-boundary';
import type { Statement } from '../modules/policy-document';
import type { Problem } from './config/problem';
import type { PipelineConfig, TargetConfig } from './config/schema';
import { accountRootArn, type Naming } from './naming';

/**
 * AWS size limits of the policies the configuration can grow.
 * IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
 * ("Role policy size cannot exceed 10,240 characters" for all inline policies of a role together,
 * "Managed policy size cannot exceed 6,144 characters"; IAM does not count white space).
 * S3: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html ("Bucket policies are limited to 20 KB").
 * KMS: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-format (32,768 bytes).
 */
export const POLICY_LIMITS = {
  /** All inline policies of one IAM role together, in characters without whitespace. */
  roleInlinePolicies: 10240,
  /** One customer managed IAM policy (the permissions boundary), in characters without whitespace. */
  managedPolicy: 6144,
  /** One S3 bucket policy, in bytes. */
  bucketPolicy: 20480,
  /** One KMS key policy, in bytes. */
  keyPolicy: 32768,
} as const;

/**
 * The size of a policy as IAM counts it (minified JSON, no white space), for
 * statements as `aws_iam_policy_document` renders them. Template escapes
 * (`$${`) count once more than AWS sees them: a slight overestimate.
 */
export function policySize(statements: Statement[]): number {
  const rendered = statements.map((s) => ({
    Sid: s.sid,
    Effect: s.effect ?? 'Allow',
    Action: s.actions,
    Resource: s.resources,
    ...(s.principals ? { Principal: s.principals.map((p) => ({ [p.type]: p.identifiers })) } : {}),
    ...(s.conditions ? { Condition: s.conditions.map((c) => ({ [c.test]: { [c.variable]: c.values } })) } : {}),
  }));
  return JSON.stringify({ Version: '2012-10-17', Statement: rendered }).length;
}

/** The longest names IAM allows a boundary policy, and a production-data tag key and value (schema limits). */
const LONGEST_POLICY_NAME = 'x'.repeat(128);
const LONGEST_TAG = { key: 'k'.repeat(128), value: 'v'.repeat(256) };

/**
 * Policies of one target that its configuration grows, checked against IAM's
 * limits: a CloudFormation execution role's inline policy (its statements and
 * passed roles), and the target account's permissions boundary, a managed
 * policy that names every service those statements use. Paths are relative
 * to the target.
 */
export function targetPolicyProblems(target: TargetConfig): Problem[] {
  const problems: Problem[] = [];
  if (target.deploy.kind === 'cloudformation') {
    const size = policySize(executionRoleStatements(target.deploy));
    if (size > POLICY_LIMITS.roleInlinePolicies) {
      problems.push({
        path: 'deploy.executionRole',
        message:
          `gives the execution role a policy of about ${size} characters; IAM allows ${POLICY_LIMITS.roleInlinePolicies} ` +
          'characters of inline policy per role: use fewer or shorter resources (wildcards) or sids, or split the stack',
      });
    }
  }
  const boundary = boundaryExtensionOf(target);
  if (boundary) {
    const size = policySize(
      boundaryStatements({ accountId: target.account.id, name: LONGEST_POLICY_NAME, extension: boundary, productionDataTag: LONGEST_TAG }),
    );
    if (size > POLICY_LIMITS.managedPolicy) {
      problems.push({
        path: 'deploy',
        message:
          `makes the target account's permissions boundary about ${size} characters (it names every service the ` +
          `execution role uses); IAM allows ${POLICY_LIMITS.managedPolicy} characters per managed policy`,
      });
    }
  }
  return problems;
}

/** What a target's configuration adds to its account's boundary (CloudFormation statements and passed roles). */
function boundaryExtensionOf(target: TargetConfig): BoundaryExtension | undefined {
  if (target.deploy.kind !== 'cloudformation') return undefined;
  const deploy = target.deploy;
  return {
    services: deploy.executionRole.statements.flatMap((s) => s.actions.map((action) => action.split(':')[0])),
    passRoleServices: deploy.executionRole.passRoles.map((pass) => pass.service),
  };
}

/**
 * The platform's artifact key policy names every served account twice (its
 * id and its role pattern); fixed statements stay well under 4,000 bytes.
 */
const KEY_POLICY_FIXED = 4000;

/** Whether the artifact key policy of the platform fits KMS's limit with these served accounts; a message if not. */
export function keyPolicyViolation(platform: string, accountIds: string[]): string | undefined {
  const size =
    KEY_POLICY_FIXED + accountIds.reduce((sum, id) => sum + entry(id) + entry(`arn:aws:iam::${id}:role/${platform}-*`), 0);
  return size > POLICY_LIMITS.keyPolicy
    ? `the platform's artifact key policy would be about ${size} bytes (it names each of the ${accountIds.length} served accounts); ` +
        `KMS allows ${POLICY_LIMITS.keyPolicy} bytes per key policy: split the accounts into several platforms`
    : undefined;
}

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
