import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './customer-managed-key';
import type { AccessLogTarget } from './log-bucket';
import { accountPrincipal, KMS_DECRYPT, KMS_ENCRYPT_DECRYPT, principalArnIs, type Statement } from './policy-document';
import { SecureBucket } from './secure-bucket';

export type ArtifactAccess = 'read' | 'read-write';

/** Roles of one account that use the artifact store. */
export interface ArtifactUsers {
  /** Statement id prefix, e.g. `Source` gives `SourceReadWriteArtifacts`. */
  sid: string;
  accountId: string;
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
  readonly key: CustomerManagedKey;
  readonly bucket: SecureBucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    this.key = new CustomerManagedKey(this, 'key', {
      provider: props.provider,
      alias: props.keyAlias,
      description: `Encrypts the artifacts of pipeline bucket ${props.bucketName}`,
      ownerAccountId: props.accountId,
      users: props.users.map((u) => ({
        sid: `${u.sid}UsesKey`,
        accountId: u.accountId,
        roleArns: u.roleArns,
        access: u.access === 'read' ? 'decrypt' : 'encrypt-decrypt',
      })),
      serviceStatements: props.keyServiceStatements,
      protect: props.protect,
    });
    const bucketArn = `arn:aws:s3:::${props.bucketName}`;
    const crossAccount = props.users.filter((u) => u.accountId !== props.accountId);
    this.bucket = new SecureBucket(this, 'bucket', {
      provider: props.provider,
      bucketName: props.bucketName,
      keyArn: this.key.arn,
      denyUploadsWithoutKms: true,
      accessLogs: props.accessLogs,
      statements: crossAccount.flatMap((u) =>
        bucketStatements(u.access, bucketArn).map((s) => ({
          ...s,
          sid: `${u.sid}${s.sid}`,
          principals: [accountPrincipal(u.accountId)],
          conditions: [principalArnIs(u.roleArns)],
        })),
      ),
      protect: props.protect,
    });
  }
}

function bucketStatements(access: ArtifactAccess, bucketArn: string): Statement[] {
  const objectActions = access === 'read' ? READ_OBJECTS : [...READ_OBJECTS, 's3:PutObject'];
  return [
    { sid: access === 'read' ? 'ReadsArtifacts' : 'ReadsWritesArtifacts', actions: objectActions, resources: [`${bucketArn}/*`] },
    { sid: 'ListsArtifactBucket', actions: READ_BUCKET, resources: [bucketArn] },
  ];
}

/** Identity-policy statements a role needs to use the artifact store. */
export function artifactStatements(access: ArtifactAccess, bucketArn: string, keyArn: string): Statement[] {
  return [
    ...bucketStatements(access, bucketArn),
    {
      sid: access === 'read' ? 'DecryptsArtifacts' : 'EncryptsDecryptsArtifacts',
      actions: access === 'read' ? KMS_DECRYPT : KMS_ENCRYPT_DECRYPT,
      resources: [keyArn],
    },
  ];
}
