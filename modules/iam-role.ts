import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountPrincipal, type Condition, PolicyDocument, principalArnIs, servicePrincipal, type Statement } from './policy-document';

/** Who may assume a role. */
export type Trust =
  /** Exactly one role (usually in another account): `aws:PrincipalArn` pins it. Never an external id: CodePipeline cannot pass one. */
  | { kind: 'role'; roleArn: string }
  /** An AWS service acting for this account only (confused-deputy conditions). */
  | { kind: 'service'; service: string; sourceAccount: string; sourceArn?: string }
  /** Holders of an OIDC token from `issuerHost` with exactly this audience and one of these subjects. */
  | { kind: 'web-identity'; providerArn: string; issuerHost: string; audience: string; subjects: string[] };

export interface RoleProps {
  provider: AwsProvider;
  name: string;
  description: string;
  trust: Trust;
  /** The role's whole permission set; empty means the role can do nothing. */
  statements: Statement[];
}

/** An IAM role with its trust policy and one inline least-privilege policy. */
export class Role extends Construct {
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: RoleProps) {
    super(scope, id);
    const trust = new PolicyDocument(this, 'trust', {
      provider: props.provider,
      statements: [trustStatement(props.trust)],
    });
    const role = new IamRole(this, 'Default', {
      provider: props.provider,
      name: props.name,
      description: props.description,
      assumeRolePolicy: trust.json,
      maxSessionDuration: 3600,
    });
    if (props.statements.length > 0) {
      const permissions = new PolicyDocument(this, 'permissions', {
        provider: props.provider,
        statements: props.statements,
      });
      new IamRolePolicy(this, 'policy', {
        provider: props.provider,
        name: 'least-privilege',
        role: role.name,
        policy: permissions.json,
      });
    }
    this.arn = role.arn;
    this.name = role.name;
  }
}

function trustStatement(trust: Trust): Statement {
  if (trust.kind === 'role') {
    const accountId = /^arn:aws:iam::(\d{12}):/.exec(trust.roleArn)?.[1];
    if (!accountId) throw new Error(`not a role ARN: ${trust.roleArn}`);
    return {
      sid: 'TrustExactRole',
      actions: ['sts:AssumeRole'],
      principals: [accountPrincipal(accountId)],
      conditions: [principalArnIs([trust.roleArn])],
    };
  }
  if (trust.kind === 'web-identity') {
    return {
      sid: 'TrustWebIdentitySubjects',
      actions: ['sts:AssumeRoleWithWebIdentity'],
      principals: [{ type: 'Federated', identifiers: [trust.providerArn] }],
      conditions: [
        { test: 'StringEquals', variable: `${trust.issuerHost}:aud`, values: [trust.audience] },
        { test: 'StringEquals', variable: `${trust.issuerHost}:sub`, values: trust.subjects },
      ],
    };
  }
  const conditions: Condition[] = [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [trust.sourceAccount] }];
  if (trust.sourceArn) conditions.push({ test: 'ArnLike', variable: 'aws:SourceArn', values: [trust.sourceArn] });
  return {
    sid: 'TrustServiceForThisAccount',
    actions: ['sts:AssumeRole'],
    principals: [servicePrincipal(trust.service)],
    conditions,
  };
}
