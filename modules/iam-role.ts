import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountPrincipal, type Condition, PolicyDocument, principalArnIs, servicePrincipal, type Statement } from './policy-document';

/** Who may assume a role. */
export type Trust =
  /** Exactly one role (usually in another account): `aws:PrincipalArn` pins it. Never an external id: CodePipeline cannot pass one. */
  | { kind: 'role'; roleArn: string }
  /** An AWS service acting for exactly one resource of this account (confused-deputy conditions). */
  | { kind: 'service'; service: string; sourceAccount: string; sourceArn: string }
  /**
   * An AWS service that does not send `aws:SourceArn`/`aws:SourceAccount` when
   * it assumes the role: the conditions would lock the service out, so the
   * caller must say why they are left out (and keep the role's policy narrow).
   */
  | { kind: 'service'; service: string; withoutSourceConditionsBecause: string }
  /**
   * A service that receives the role through `iam:PassRole` and documents no
   * source keys for assuming it (a CloudFormation execution role: CloudFormation
   * names `aws:SourceArn` only for resources it stores, such as extensions).
   * The guard is on the passing side: only roles whose `iam:PassRole` names
   * this role exactly can hand it over. The rule suite lists each such role as
   * an exception.
   */
  | { kind: 'passed-to-service'; service: string }
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

/**
 * An IAM role with its trust policy and one inline least-privilege policy.
 * Its permissions boundary is set by the account stack for every role alike.
 */
export class Role extends Construct {
  readonly arn: string;
  readonly name: string;
  /** The inline policy, for resources that check the role's permissions when they are created. */
  readonly permissions?: IamRolePolicy;

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
      this.permissions = new IamRolePolicy(this, 'policy', {
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
  if (trust.kind === 'passed-to-service') {
    return { sid: 'TrustServiceThatReceivesRole', actions: ['sts:AssumeRole'], principals: [servicePrincipal(trust.service)] };
  }
  if (!('sourceArn' in trust)) {
    return { sid: 'TrustService', actions: ['sts:AssumeRole'], principals: [servicePrincipal(trust.service)] };
  }
  const conditions: Condition[] = [
    { test: 'StringEquals', variable: 'aws:SourceAccount', values: [trust.sourceAccount] },
    { test: 'ArnLike', variable: 'aws:SourceArn', values: [trust.sourceArn] },
  ];
  return {
    sid: 'TrustServiceForThisAccount',
    actions: ['sts:AssumeRole'],
    principals: [servicePrincipal(trust.service)],
    conditions,
  };
}
