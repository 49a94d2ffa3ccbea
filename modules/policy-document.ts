import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountRootArn } from '../lib/naming';

export interface Condition {
  test: string;
  variable: string;
  values: string[];
}

export interface Principal {
  type: 'AWS' | 'Service' | 'Federated' | '*';
  identifiers: string[];
}

/** One statement. Sids are required: reviews, diffs and access checks name statements by them. */
export interface Statement {
  sid: string;
  effect?: 'Allow' | 'Deny';
  actions: string[];
  resources?: string[];
  principals?: Principal[];
  conditions?: Condition[];
}

export interface PolicyDocumentProps {
  provider: AwsProvider;
  statements: Statement[];
}

/**
 * An `aws_iam_policy_document` data source: structured in the synthesized
 * JSON and HCL (no serialized strings, so `cdktf synth --hcl` stays valid),
 * and rendered by Terraform at plan time.
 */
export class PolicyDocument extends Construct {
  readonly json: string;

  constructor(scope: Construct, id: string, props: PolicyDocumentProps) {
    super(scope, id);
    const sids = new Set<string>();
    for (const statement of props.statements) {
      if (sids.has(statement.sid)) throw new Error(`${this.node.path}: duplicate statement sid "${statement.sid}"`);
      sids.add(statement.sid);
    }
    const document = new DataAwsIamPolicyDocument(this, 'Default', {
      provider: props.provider,
      statement: props.statements.map((s) => ({
        sid: s.sid,
        effect: s.effect ?? 'Allow',
        actions: s.actions,
        resources: s.resources,
        principals: s.principals,
        condition: s.conditions,
      })),
    });
    this.json = document.json;
  }
}

// --- statement helpers: the few shapes every policy here is built from --------

/** Principal of another (or the same) account, narrowed by `principalArnIs`. */
export function accountPrincipal(accountId: string): Principal {
  return accountPrincipals([accountId]);
}

/** Principals of several accounts in one statement, narrowed by `principalArnIs`. */
export function accountPrincipals(accountIds: string[]): Principal {
  return { type: 'AWS', identifiers: [...new Set(accountIds)].map(accountRootArn) };
}

export function servicePrincipal(service: string): Principal {
  return { type: 'Service', identifiers: [service] };
}

/**
 * Trust or grant only the exact roles named. Naming the account root as
 * principal plus this condition lets a policy refer to a role that does not
 * exist yet, so stacks in different accounts can be applied in a fixed order.
 */
export function principalArnIs(arns: string[]): Condition {
  return { test: 'ArnEquals', variable: 'aws:PrincipalArn', values: arns };
}

/**
 * `iam:PassRole` for exactly the roles named, and only to one service: the
 * two halves of "this principal may hand these roles to that service".
 */
export function passRoleTo(sid: string, roleArns: string[], service: string): Statement {
  return {
    sid,
    actions: ['iam:PassRole'],
    resources: roleArns,
    conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: [service] }],
  };
}

export function denyInsecureTransport(resources: string[], actions: string[]): Statement {
  return {
    sid: 'DenyInsecureTransport',
    effect: 'Deny',
    principals: [{ type: '*', identifiers: ['*'] }],
    actions,
    resources,
    conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
  };
}

/**
 * Lets a role hand exactly the named roles to exactly one service (for example
 * a CloudFormation execution role to `cloudformation.amazonaws.com`). Never a
 * wildcard: passing a more privileged role is the classic escalation path.
 */
export function passRole(sid: string, roleArns: string[], service: string): Statement {
  if (roleArns.length === 0 || roleArns.some((arn) => arn.includes('*'))) {
    throw new Error(`${sid}: iam:PassRole needs exact role ARNs, got [${roleArns.join(', ')}]`);
  }
  return {
    sid,
    actions: ['iam:PassRole'],
    resources: roleArns,
    conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: [service] }],
  };
}

/** KMS actions a principal needs to read and write data under a key. */
export const KMS_ENCRYPT_DECRYPT = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
];

/** KMS actions a principal needs to read data under a key. */
export const KMS_DECRYPT = ['kms:Decrypt', 'kms:DescribeKey'];

/**
 * Roles of the platform in some accounts, by name pattern: `ArnLike
 * aws:PrincipalArn arn:aws:iam::<account>:role/<platform>-*`. Shared keys and
 * buses grant by pattern so that their policies grow with accounts, never
 * with pipelines; what each role may do with them is narrowed in its own
 * identity policy. aws:PrincipalArn is the role's ARN, also for an assumed
 * session, and ArnLike takes `*` wildcards:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 */
export function principalArnLike(patterns: string[]): Condition {
  return { test: 'ArnLike', variable: 'aws:PrincipalArn', values: patterns };
}

/**
 * Only KMS calls S3 makes for a request in these regions:
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 */
export function viaServices(services: string[]): Condition {
  return { test: 'StringEquals', variable: 'kms:ViaService', values: services };
}
