import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { IAspect } from 'cdktf';
import { Construct, type IConstruct } from 'constructs';
import { PolicyDocument } from './policy-document';

/**
 * The most any role of this project may ever do, whatever its own policy
 * says: the services a cross-account pipeline and its deploy kinds use. Each
 * role's inline policy names exact actions and resources; this list only caps
 * what a later policy change (or a mistake) could grant. A role action outside
 * it is denied by AWS, and the security rule suite fails on it first.
 */
export const BOUNDED_SERVICES = [
  'cloudformation', // CloudFormation deploy actions
  'cloudwatch', // alarms and metrics
  'codebuild',
  'codecommit',
  'codeconnections', // CodeStar connection sources (new prefix)
  'codedeploy', // ECS blue/green deployments
  'codepipeline',
  'codestar-connections', // CodeStar connection sources (old prefix)
  'ecr',
  'ecs',
  'elasticloadbalancing', // ECS blue/green listener shifts
  'events',
  'kms',
  'lambda',
  'logs',
  's3',
  'sns',
];

/** Services that pipeline roles may hand roles to (deploy kinds that run under their own role). */
export const PASS_ROLE_SERVICES = ['cloudformation.amazonaws.com', 'codedeploy.amazonaws.com', 'ecs-tasks.amazonaws.com'];

export interface PermissionsBoundaryProps {
  provider: AwsProvider;
  accountId: string;
  name: string;
  /** Data stores carrying this tag cannot be deleted by a bounded role. */
  productionDataTag: { key: string; value: string };
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
    const boundaryArn = `arn:aws:iam::${props.accountId}:policy/${props.name}`;
    const document = new PolicyDocument(this, 'document', {
      provider: props.provider,
      statements: [
        {
          sid: 'AllowPipelineServicesAtMost',
          actions: [...BOUNDED_SERVICES.map((service) => `${service}:*`), 'sts:AssumeRole'],
          resources: ['*'],
        },
        {
          sid: 'AllowPassingRolesToDeployServicesOnly',
          actions: ['iam:PassRole'],
          resources: ['*'],
          conditions: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: PASS_ROLE_SERVICES }],
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
      ],
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
