import { AccessModel, type Policy } from './model';
import type { SynthesizedApp } from './synthesized';

/**
 * AWS's size limits of the policies the stacks write, in characters of the
 * minified JSON (IAM does not count whitespace; the others count bytes, and
 * the rendered documents are ASCII):
 * - IAM: all inline policies of a role together 10,240, a managed policy
 *   6,144, a trust policy 2,048 by default (raisable to 4,096)
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
 * - a KMS key policy 32,768 bytes
 *   (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-format);
 * - an S3 bucket policy 20 KB
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html);
 * - an EventBridge event bus policy 10,240 characters
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/cloudwatch-limits-eventbridge.html);
 * - an SNS topic policy 30 KB
 *   (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html#sns-policy-quotas).
 */
export const POLICY_SIZE_LIMITS = {
  'role inline policies': 10240,
  'managed policy': 6144,
  'trust policy': 2048,
  'key policy': 32768,
  'bucket policy': 20480,
  'event bus policy': 10240,
  'topic policy': 30720,
} as const;

export type PolicyKind = keyof typeof POLICY_SIZE_LIMITS;

export interface PolicySize {
  /** The stack that writes the policy. */
  stack: string;
  /** `stack: address` of the block, or the role's ARN for its inline policies and trust. */
  what: string;
  kind: PolicyKind;
  /** Characters of the minified JSON, the references resolved to the values they will have. */
  size: number;
  limit: number;
}

const RESOURCE_KINDS: Record<string, PolicyKind> = {
  bucket: 'bucket policy',
  key: 'key policy',
  'replica key': 'key policy',
  'event bus': 'event bus policy',
  topic: 'topic policy',
};

function sizeOf(policy: Policy): number {
  return JSON.stringify(policy.document).length;
}

const stackOf = (policy: Policy) => policy.origin.split(':')[0];

/**
 * The size of every policy of the synthesized stacks, rendered the way the
 * access proof renders them (lib/verify/model.ts), against its AWS limit.
 */
export function policySizes(app: SynthesizedApp): PolicySize[] {
  const model = new AccessModel(app);
  const managed = new Set(model.managedPolicies.values());
  const sizes: PolicySize[] = [];
  const add = (policy: Policy, what: string, kind: PolicyKind, size = sizeOf(policy)) =>
    sizes.push({ stack: stackOf(policy), what, kind, size, limit: POLICY_SIZE_LIMITS[kind] });
  for (const policy of managed) add(policy, policy.origin, 'managed policy');
  for (const role of model.roles.values()) {
    add(role.trust, role.arn, 'trust policy');
    const inline = role.identity.filter((p) => !managed.has(p));
    if (inline.length > 0) {
      sizes.push({
        stack: stackOf(role.trust),
        what: role.arn,
        kind: 'role inline policies',
        size: inline.reduce((sum, p) => sum + sizeOf(p), 0),
        limit: POLICY_SIZE_LIMITS['role inline policies'],
      });
    }
  }
  for (const resource of model.resourcePolicies) {
    const kind = RESOURCE_KINDS[resource.kind];
    if (!kind) throw new Error(`no size limit known for a ${resource.kind} policy (add it to lib/verify/policy-sizes.ts)`);
    add(resource.policy, resource.policy.origin, kind);
  }
  return sizes.sort((a, b) => a.what.localeCompare(b.what) || a.kind.localeCompare(b.kind));
}

/** Whether a stack is part of the platform's shared foundation (written once, whatever the number of pipelines). */
export function isFoundationStack(stack: string): boolean {
  return stack === 'platform' || stack.startsWith('account-') || stack === 'tfc-bootstrap';
}
