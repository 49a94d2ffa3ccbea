/**
 * Arguments whose change makes Terraform replace the resource (destroy, then
 * create) instead of updating it in place: `ForceNew: true` in the resource
 * schemas of hashicorp/terraform-provider-aws. Top-level arguments only, for
 * the resource types this project creates whose provider source was read
 * (path under internal/service/ of that repository):
 * - s3/bucket.go: `bucket`, `bucket_prefix`; s3/bucket_policy.go: `bucket`.
 * - iam/role.go: `name`, `name_prefix`, `path` (trust and policies are updated in place).
 * - iam/role_policy.go: `name`, `name_prefix`, `role` (the document is put in place).
 * - kms/alias.go: `name`, `name_prefix` (`target_key_id` is updated with UpdateAlias).
 * - kms/replica_key.go: `primary_key_arn` (description, policy, enabled in place).
 * - codepipeline/codepipeline.go: `name` (stages, role and stores are updated with UpdatePipeline).
 * - sns/topic.go: `name`, `name_prefix`, `fifo_topic`.
 * - events/bus.go: `name`, `event_source_name`.
 * - events/rule.go: `name`, `name_prefix`, `event_bus_name`.
 * - logs/group.go: `name`, `name_prefix`, `log_group_class` (retention and key in place).
 * - iam/policy.go: `name`, `name_prefix`, `path`, and `description` (the document gets a new version in place).
 * - kms/key.go: `customer_master_key_spec`, `key_usage`, `multi_region`, `custom_key_store_id`,
 *   `xks_key_id` (policy, description, rotation in place).
 * - codecommit/repository.go: `repository_name` (description and default branch in place).
 * Any other type or argument is reported as an in-place update: the diff says
 * so in its legend, and `terraform plan` remains the authority.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  aws_s3_bucket: ['bucket', 'bucket_prefix'],
  aws_s3_bucket_policy: ['bucket'],
  aws_iam_role: ['name', 'name_prefix', 'path'],
  aws_iam_role_policy: ['name', 'name_prefix', 'role'],
  aws_kms_alias: ['name', 'name_prefix'],
  aws_kms_replica_key: ['primary_key_arn'],
  aws_codepipeline: ['name'],
  aws_sns_topic: ['name', 'name_prefix', 'fifo_topic'],
  aws_cloudwatch_event_bus: ['name', 'event_source_name'],
  aws_cloudwatch_event_rule: ['name', 'name_prefix', 'event_bus_name'],
  aws_cloudwatch_log_group: ['name', 'name_prefix', 'log_group_class'],
  aws_iam_policy: ['name', 'name_prefix', 'path', 'description'],
  aws_kms_key: ['customer_master_key_spec', 'key_usage', 'multi_region', 'custom_key_store_id', 'xks_key_id'],
  aws_codecommit_repository: ['repository_name'],
};

/** The arguments of a resource type whose change replaces it (none known: empty). */
export function replacingArguments(type: string): readonly string[] {
  return FORCE_NEW[type] ?? [];
}
