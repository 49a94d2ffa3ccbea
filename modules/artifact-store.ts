import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { AccessLogTarget } from './log-bucket';
import { accountPrincipals, KMS_DECRYPT, KMS_ENCRYPT_DECRYPT, principalArnIs, type Statement } from './policy-document';
import { SecureBucket } from './secure-bucket';

export type ArtifactAccess = 'read' | 'read-write';

/**
 * Roles that use the artifact store with one access level. Each group is one
 * statement in the bucket policy however many accounts it spans, so the
 * policy stays far below its size limit (20 KB) with hundreds of targets.
 */
export interface ArtifactUsers extends ArtifactScope {
  /** Statement id prefix, e.g. `Source` gives `SourceUsesKey`. */
  sid: string;
  /** The accounts of the roles. */
  accountIds: string[];
  roleArns: string[];
  access: ArtifactAccess;
}

/** Which objects of a store a role uses, beyond the access level. */
export interface ArtifactScope {
  /** Key patterns of the objects (lib/artifact-layout.ts), e.g. `acme-api/source_out/*`; every object when omitted. */
  objects?: string[];
  /**
   * Also `s3:PutObjectAcl` on those objects: the writers of a source artifact
   * (a cross-account CodeCommit source action's role, the pipeline role of a
   * connection source) upload it with an ACL, which S3 authorizes as
   * PutObjectAcl; without it the source action fails with Access Denied
   * (aws-cdk #14156, fixed by #14260 for CodeCommit; #13557, fixed by #13637
   * for connections). No AWS page names the ACL CodePipeline sets, so no
   * `s3:x-amz-acl` condition (one that the service does not match would deny
   * every run); the bucket is `BucketOwnerEnforced`, so S3 accepts no ACL
   * other than `bucket-owner-full-control` anyway:
   * https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
   */
  putAcl?: boolean;
}

export interface ArtifactStoreProps {
  provider: AwsProvider;
  accountId: string;
  bucketName: string;
  /** The platform's artifact key of the bucket's region (a replica of one multi-region key). */
  keyArn: string;
  users: ArtifactUsers[];
  accessLogs?: AccessLogTarget;
  protect: boolean;
}

const READ_OBJECTS = ['s3:GetObject', 's3:GetObjectVersion'];
const READ_BUCKET = ['s3:GetBucketLocation', 's3:GetBucketVersioning', 's3:ListBucket'];

/**
 * One pipeline's artifact store in one region: a bucket that requires SSE-KMS
 * and TLS, encrypted with the platform's shared artifact key (a
 * customer-managed key: AWS-managed keys cannot be used across accounts).
 * Roles of other accounts are granted by exact ARN in the bucket policy,
 * which names only this pipeline's roles; they still need
 * `artifactStatements` in their own identity policy, which ties their use of
 * the shared key to this bucket.
 */
export class ArtifactStore extends Construct {
  readonly keyArn: string;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    this.keyArn = props.keyArn;
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    this.bucket = new SecureBucket(this, 'bucket', {
      provider: props.provider,
      bucketName: props.bucketName,
      keyArn: props.keyArn,
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
  const statements = bucketStatements(users.access, bucketArn, users);
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

function bucketStatements(access: ArtifactAccess, bucketArn: string, scope: ArtifactScope = {}): Statement[] {
  const objectActions = access === 'read' ? READ_OBJECTS : [...READ_OBJECTS, 's3:PutObject'];
  if (scope.putAcl && access === 'read') throw new Error('s3:PutObjectAcl is for roles that write artifacts');
  return [
    {
      sid: access === 'read' ? 'ReadsArtifacts' : 'ReadsWritesArtifacts',
      actions: scope.putAcl ? [...objectActions, 's3:PutObjectAcl'] : objectActions,
      resources: (scope.objects ?? ['*']).map((pattern) => `${bucketArn}/${pattern}`),
    },
    { sid: 'ListsArtifactBucket', actions: READ_BUCKET, resources: [bucketArn] },
  ];
}

/**
 * Identity-policy statements a role needs to use an artifact store;
 * `sidSuffix` tells the stores of several regions apart in one policy. The
 * key is the platform's, shared by every pipeline; its policy lets the
 * platform's roles use it only through S3 (`kms:ViaService`), so a role
 * reaches artifacts under it only through objects S3 lets it read: this
 * store's bucket (docs/architecture.md, "Isolation"). `scope` narrows the
 * role to the objects of the artifacts it writes or reads.
 */
export function artifactStatements(
  access: ArtifactAccess,
  bucketArn: string,
  keyArn: string,
  sidSuffix = '',
  scope: ArtifactScope = {},
): Statement[] {
  return [
    ...bucketStatements(access, bucketArn, scope),
    {
      sid: access === 'read' ? 'DecryptsArtifacts' : 'EncryptsDecryptsArtifacts',
      actions: access === 'read' ? KMS_DECRYPT : KMS_ENCRYPT_DECRYPT,
      resources: [keyArn],
    },
  ].map((s) => ({ ...s, sid: `${s.sid}${sidSuffix}` }));
}
