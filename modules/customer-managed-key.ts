import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import {
  accountPrincipal,
  accountPrincipals,
  KMS_DECRYPT,
  KMS_ENCRYPT_DECRYPT,
  PolicyDocument,
  principalArnIs,
  principalArnLike,
  type Statement,
  viaServices,
} from './policy-document';

/** Roles that may use the key; one statement names them all, whatever their accounts. */
export interface KeyUsers {
  /** Statement id; names the purpose, e.g. `SourceAccountRoles`. */
  sid: string;
  /** The accounts of the roles. */
  accountIds: string[];
  /** Exact roles (`ArnEquals`), or... */
  roleArns?: string[];
  /** ...role name patterns such as `arn:aws:iam::<account>:role/<platform>-*` (`ArnLike`), for a shared key. */
  roleArnPatterns?: string[];
  /** Only through these services (`kms:ViaService`); `kms:DescribeKey`, which services do not call for them, stays unconditioned. */
  viaServices?: string[];
  /** `decrypt` for roles that only read data under the key. */
  access: 'encrypt-decrypt' | 'decrypt';
}

export interface CustomerManagedKeyProps {
  provider: AwsProvider;
  /** Alias such as `alias/webapp-artifacts`. */
  alias: string;
  description: string;
  /** The account that owns and administers the key. */
  ownerAccountId: string;
  users: KeyUsers[];
  /** Statements for AWS services (e.g. CloudWatch Logs), already narrowed by encryption context. */
  serviceStatements?: Statement[];
  /** Sets prevent_destroy; the deletion window applies either way. */
  protect: boolean;
  /**
   * A multi-region primary key, so that replicas in other regions share its
   * key id and material (an artifact store per region, seed 002). Cannot be
   * changed on an existing key without replacing it.
   */
  multiRegion?: boolean;
}

/** Administration actions for the owner account, listed instead of `kms:*`. */
const KEY_ADMINISTRATION = [
  'kms:CancelKeyDeletion',
  'kms:Create*',
  'kms:Delete*',
  'kms:Describe*',
  'kms:Disable*',
  'kms:Enable*',
  'kms:Get*',
  'kms:List*',
  'kms:Put*',
  'kms:Revoke*',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:Update*',
];

/**
 * The key policy: the owner account administers the key through IAM, and
 * other principals use it only as the exact roles named.
 */
function keyPolicyStatements(props: Pick<CustomerManagedKeyProps, 'ownerAccountId' | 'users' | 'serviceStatements' | 'multiRegion'>): Statement[] {
  return [
    {
      sid: 'OwnerAccountAdministers',
      principals: [accountPrincipal(props.ownerAccountId)],
      // Replicating is what creates the key in another region.
      actions: props.multiRegion ? [...KEY_ADMINISTRATION, 'kms:ReplicateKey'] : KEY_ADMINISTRATION,
      // In a key policy "*" means this key.
      resources: ['*'],
    },
    ...props.users.flatMap((users): Statement[] => {
      const principals = [accountPrincipals(users.accountIds)];
      const who = users.roleArnPatterns ? principalArnLike(users.roleArnPatterns) : principalArnIs(users.roleArns ?? []);
      const actions = users.access === 'decrypt' ? KMS_DECRYPT : KMS_ENCRYPT_DECRYPT;
      if (!users.viaServices) return [{ sid: users.sid, principals, actions, resources: ['*'], conditions: [who] }];
      return [
        {
          sid: users.sid,
          principals,
          actions: actions.filter((a) => a !== 'kms:DescribeKey'),
          resources: ['*'],
          conditions: [who, viaServices(users.viaServices)],
        },
        { sid: `${users.sid}Describe`, principals, actions: ['kms:DescribeKey'], resources: ['*'], conditions: [who] },
      ];
    }),
    ...(props.serviceStatements ?? []),
  ];
}

/**
 * A symmetric customer-managed KMS key with yearly rotation, a 30-day
 * deletion window and an alias. Its policy lets the owner account administer
 * it through IAM, and other principals use it only as the exact roles named.
 * (AWS-managed keys cannot be shared across accounts, so cross-account
 * artifacts need this.)
 */
export class CustomerManagedKey extends Construct {
  readonly arn: string;
  readonly keyId: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    const policy = new PolicyDocument(this, 'policy', { provider: props.provider, statements: keyPolicyStatements(props) });
    const key = new KmsKey(this, 'Default', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      multiRegion: props.multiRegion,
      policy: policy.json,
      lifecycle: { preventDestroy: props.protect },
    });
    new KmsAlias(this, 'alias', {
      provider: props.provider,
      name: props.alias,
      targetKeyId: key.keyId,
    });
    this.arn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = props.alias;
  }
}

export interface ReplicaKeyProps extends Omit<CustomerManagedKeyProps, 'multiRegion' | 'serviceStatements'> {
  /** Provider of the replica's region. */
  provider: AwsProvider;
  primaryKeyArn: string;
}

/**
 * A replica of a multi-region key in another region: the same key id and
 * material (rotation follows the primary), its own alias and its own policy,
 * so each region grants exactly the roles that work there.
 */
export class ReplicaKey extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ReplicaKeyProps) {
    super(scope, id);
    const policy = new PolicyDocument(this, 'policy', { provider: props.provider, statements: keyPolicyStatements(props) });
    const replica = new KmsReplicaKey(this, 'Default', {
      provider: props.provider,
      primaryKeyArn: props.primaryKeyArn,
      description: props.description,
      deletionWindowInDays: 30,
      policy: policy.json,
      lifecycle: { preventDestroy: props.protect },
    });
    new KmsAlias(this, 'alias', { provider: props.provider, name: props.alias, targetKeyId: replica.keyId });
    this.arn = replica.arn;
  }
}
