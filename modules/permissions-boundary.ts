import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { IAspect } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { PolicyDocument, type Statement } from './policy-document';

/**
 * The most any role of this project may ever do, whatever its own policy
 * says: the services the pipeline's own roles and its deploy kinds call. Each
 * role's inline policy names exact actions and resources; this list only caps
 * what a later policy change (or a mistake) could grant. A role action outside
 * it is denied by AWS, and the security rule suite fails on it first.
 */
export const BOUNDED_SERVICES = [
  'cloudformation', // cloudformation deploy roles
  'codebuild', // the pipeline role starts the build
  'codecommit', // the CodeCommit source role
  'codeconnections', // connection sources (new prefix)
  'codedeploy', // ecs-blue-green deploy roles
  'codepipeline', // the pipeline starter role, invoke-pipeline deploy roles
  'codestar-connections', // connection sources (old prefix)
  'ecs', // ecs and ecs-blue-green deploy roles, the CodeDeploy role
  'elasticloadbalancing', // the CodeDeploy role shifts listeners
  'events', // the CodeCommit event forwarder
  'kms',
  'logs', // the build role, the trail's CloudWatch Logs role
  's3',
  'sns', // the pipeline role notifies approvers
];

/** Services the pipeline's roles hand roles to: CloudFormation its execution role, ECS the task roles. */
export const PASS_ROLE_SERVICES = ['cloudformation.amazonaws.com', 'ecs-tasks.amazonaws.com'];

/**
 * What the roles a user configures need beyond the pipeline's own services:
 * the services a CloudFormation execution role manages and the services it
 * passes roles to. IAM, STS, Organizations and account services are never
 * among them (the configuration refuses their actions).
 */
export interface BoundaryExtension {
  services: string[];
  passRoleServices: string[];
}

export interface PermissionsBoundaryProps {
  provider: AwsProvider;
  accountId: string;
  name: string;
  /** Data stores carrying this tag cannot be deleted by a bounded role. */
  productionDataTag: { key: string; value: string };
  /** Allowed in this account's boundary in addition to the pipeline's services. */
  extension?: BoundaryExtension;
}

/**
 * The account's permissions boundary (seed 004): a managed policy that allows
 * at most the pipeline's services and explicitly denies creating users and
 * access keys, organization and account changes, removing or rewriting the
 * boundary, and deleting production data stores.
 */
export class PermissionsBoundary extends Construct {
  readonly arn: string;

  constructor(scope: Construct, id: string, props: PermissionsBoundaryProps) {
    super(scope, id);
    const document = new PolicyDocument(this, 'document', {
      provider: props.provider,
      statements: boundaryStatements(props),
    });
    const policy = new IamPolicy(this, 'Default', {
      provider: props.provider,
      name: props.name,
      description: 'Permissions boundary of every role this project creates in the account',
      policy: document.json,
    });
    this.arn = policy.arn;
  }
}

/** The boundary's statements (also measured against IAM's managed policy size limit by lib/policy-limits.ts). */
export function boundaryStatements(props: Pick<PermissionsBoundaryProps, 'accountId' | 'name' | 'extension' | 'productionDataTag'>): Statement[] {
  const boundaryArn = `arn:aws:iam::${props.accountId}:policy/${props.name}`;
  const services = withExtension(BOUNDED_SERVICES, props.extension?.services ?? []);
  const passRoleServices = withExtension(PASS_ROLE_SERVICES, props.extension?.passRoleServices ?? []);
  return [
    {
      sid: 'AllowPipelineServicesAtMost',
      actions: [...services.map((service) => `${service}:*`), 'sts:AssumeRole'],
      resources: ['*'],
    },
    {
      sid: 'AllowPassingRolesToDeployServicesOnly',
      actions: ['iam:PassRole'],
      resources: ['*'],
      conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: passRoleServices }],
    },
    {
      sid: 'DenyUsersAndAccessKeys',
      effect: 'Deny',
      actions: [
        'iam:AttachUserPolicy',
        'iam:CreateAccessKey',
        'iam:CreateLoginProfile',
        'iam:CreateUser',
        'iam:PutUserPolicy',
        'iam:UpdateAccessKey',
        'iam:UpdateLoginProfile',
      ],
      resources: ['*'],
    },
    {
      sid: 'DenyOrganizationAndAccountChanges',
      effect: 'Deny',
      actions: ['account:*', 'organizations:*'],
      resources: ['*'],
    },
    {
      sid: 'DenyBoundaryChanges',
      effect: 'Deny',
      actions: ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary'],
      resources: ['*'],
    },
    {
      sid: 'DenyRewritingTheBoundary',
      effect: 'Deny',
      actions: ['iam:CreatePolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion', 'iam:SetDefaultPolicyVersion'],
      resources: [boundaryArn],
    },
    {
      // No role here deletes buckets or keys, and S3 honours tag conditions only on ABAC-enabled buckets.
      sid: 'DenyDeletingBucketsAndKeys',
      effect: 'Deny',
      actions: ['kms:ScheduleKeyDeletion', 's3:DeleteBucket'],
      resources: ['*'],
    },
    {
      sid: 'DenyDeletingProductionDataStores',
      effect: 'Deny',
      actions: [
        'dynamodb:DeleteBackup',
        'dynamodb:DeleteTable',
        'rds:DeleteDBCluster',
        'rds:DeleteDBClusterSnapshot',
        'rds:DeleteDBInstance',
        'rds:DeleteDBSnapshot',
      ],
      resources: ['*'],
      conditions: [
        { test: 'StringEquals', variable: `aws:ResourceTag/${props.productionDataTag.key}`, values: [props.productionDataTag.value] },
      ],
    },
  ];
}

/** The base list, then what the extension adds to it, sorted: deterministic output. */
function withExtension(base: string[], extension: string[]): string[] {
  return [...base, ...[...new Set(extension)].filter((item) => !base.includes(item)).sort()];
}

/**
 * Sets the boundary on every IAM role of a stack at synthesis, however the
 * role was created: a role added later cannot forget it. `boundaryArn` is
 * asked for only when the stack has a role.
 */
export class BoundEveryRole implements IAspect {
  constructor(private readonly boundaryArn: () => string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole) node.permissionsBoundary = this.boundaryArn();
  }
}
