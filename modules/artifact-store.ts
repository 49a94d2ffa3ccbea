import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { CustomerManagedKey, ReplicaKey } from './customer-managed-key';
import type { AccessLogTarget } from './log-bucket';
import { accountPrincipals, KMS_DECRYPT, KMS_ENCRYPT_DECRYPT, principalArnIs, type Statement } from './policy-document';
import { SecureBucket } from './secure-bucket';

export type ArtifactAccess = 'read' | 'read-write';

/**
 * Roles that use the artifact store with one access level. Each group is one
 * statement in the key policy and one in the bucket policy however many
 * accounts it spans, so the policies stay far below their size limits
 * (32 KB for keys, 20 KB for buckets) with hundreds of targets.
 */
export interface ArtifactUsers {
  /** Statement id prefix, e.g. `Source` gives `SourceUsesKey`. */
  sid: string;
  /** The accounts of the roles. */
  accountIds: string[];
  roleArns: string[];
  access: ArtifactAccess;
}

export interface ArtifactStoreProps {
  provider: AwsProvider;
  accountId: string;
  bucketName: string;
  keyAlias: string;
  users: ArtifactUsers[];
  /** Key statements for AWS services of this account (e.g. CloudWatch Logs for the build logs). */
  keyServiceStatements?: Statement[];
  accessLogs?: AccessLogTarget;
  protect: boolean;
  /**
   * The key: a multi-region primary, or a replica of one (the store of another
   * region). Either way every store's key has the same key id.
   */
  key: { kind: 'multi-region-primary' } | { kind: 'replica'; primaryKeyArn: string };
}

const READ_OBJECTS = ['s3:GetObject', 's3:GetObjectVersion'];
const READ_BUCKET = ['s3:GetBucketLocation', 's3:GetBucketVersioning', 's3:ListBucket'];

/**
 * The pipeline's artifact store: a customer-managed key (AWS-managed keys
 * cannot be used across accounts) and a bucket that requires SSE-KMS and TLS.
 * Roles of other accounts are granted by exact ARN on both the key and the
 * bucket; they still need `artifactStatements` in their own identity policy.
 */
export class ArtifactStore extends Construct {
  readonly keyArn: string;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const keyProps = {
      provider: props.provider,
      alias: props.keyAlias,
      description: `Encrypts the artifacts of pipeline bucket ${props.bucketName}`,
      ownerAccountId: props.accountId,
      users: props.users.map((u) => ({
        sid: `${u.sid}UsesKey`,
        accountIds: u.accountIds,
        roleArns: u.roleArns,
        access: u.access === 'read' ? ('decrypt' as const) : ('encrypt-decrypt' as const),
      })),
      protect: props.protect,
    };
    this.keyArn =
      props.key.kind === 'replica'
        ? new ReplicaKey(this, 'key', { ...keyProps, primaryKeyArn: props.key.primaryKeyArn }).arn
        : new CustomerManagedKey(this, 'key', { ...keyProps, serviceStatements: props.keyServiceStatements, multiRegion: true }).arn;
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    this.bucket = new SecureBucket(this, 'bucket', {
      provider: props.provider,
      bucketName: props.bucketName,
      keyArn: this.keyArn,
      denyUploadsWithoutKms: true,
      accessLogs: props.accessLogs,
      statements: props.users.flatMap((u) => crossAccountGrant(u, props.accountId, bucketArn)),
      protect: props.protect,
    });
  }
}

/**
 * The bucket-policy half of another account's access (roles of the bucket's
 * own account need only their identity policy): one statement for all the
 * group's other accounts, narrowed to its exact roles.
 */
function crossAccountGrant(users: ArtifactUsers, ownerAccountId: string, bucketArn: string): Statement[] {
  const otherAccounts = users.accountIds.filter((id) => id !== ownerAccountId);
  if (otherAccounts.length === 0) return [];
  const statements = bucketStatements(users.access, bucketArn);
  return [
    {
      sid: `${users.sid}${statements[0].sid}`,
      actions: statements.flatMap((s) => s.actions),
      resources: statements.flatMap((s) => s.resources ?? []),
      principals: [accountPrincipals(otherAccounts)],
      conditions: [principalArnIs(users.roleArns)],
    },
  ];
}

function bucketStatements(access: ArtifactAccess, bucketArn: string): Statement[] {
  const objectActions = access === 'read' ? READ_OBJECTS : [...READ_OBJECTS, 's3:PutObject'];
  return [
    { sid: access === 'read' ? 'ReadsArtifacts' : 'ReadsWritesArtifacts', actions: objectActions, resources: [`${bucketArn}/*`] },
    { sid: 'ListsArtifactBucket', actions: READ_BUCKET, resources: [bucketArn] },
  ];
}

/**
 * Identity-policy statements a role needs to use an artifact store;
 * `sidSuffix` tells the stores of several regions apart in one policy.
 */
export function artifactStatements(access: ArtifactAccess, bucketArn: string, keyArn: string, sidSuffix = ''): Statement[] {
  return [
    ...bucketStatements(access, bucketArn),
    {
      sid: access === 'read' ? 'DecryptsArtifacts' : 'EncryptsDecryptsArtifacts',
      actions: access === 'read' ? KMS_DECRYPT : KMS_ENCRYPT_DECRYPT,
      resources: [keyArn],
    },
  ].map((s) => ({ ...s, sid: `${s.sid}${sidSuffix}` }));
}
