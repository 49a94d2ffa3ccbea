import { z } from 'zod';

/**
 * The configuration file's shape. Field-level rules live here; rules that span
 * fields (duplicates, derived names, CodePipeline limits) live in `rules.ts`.
 * `config/schema.json` is generated from this file (`npm run schema`).
 */

/** Regions of the `aws` partition; ARNs built by this project assume that partition. */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

/** Retention periods that CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const accountId = z
  .string({ error: 'must be a quoted string of 12 digits (unquoted YAML numbers lose leading zeros)' })
  .regex(/^\d{12}$/, { error: (issue) => `must be a 12-digit AWS account id, got "${String(issue.input)}"` });

const region = z.enum(AWS_REGIONS, {
  error: (issue) => `unknown AWS region "${String(issue.input)}"`,
});

const roleArn = z
  .string()
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    error: (issue) => `must be an IAM role ARN such as arn:aws:iam::123456789012:role/terraform, got "${String(issue.input)}"`,
  });

/** Lowercase DNS-style label: safe inside IAM role, S3 bucket, stack and workspace names. */
const label = z
  .string()
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, {
    error: (issue) =>
      `must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen, got "${String(issue.input)}"`,
  });

const bucketName = z
  .string()
  .max(63, { error: 'S3 bucket names are at most 63 characters' })
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    error: 'S3 bucket names are 3-63 characters of lowercase letters, digits, dots and hyphens',
  });

export const accountSchema = z
  .strictObject({
    id: accountId.describe('The 12-digit AWS account id.'),
    region: region.describe('The region Terraform works in for this account.'),
    role: roleArn.describe('The IAM role Terraform assumes in this account.'),
  })
  .describe('An AWS account and the role Terraform assumes there.');

const buildSchema = z
  .strictObject({
    image: z.string().min(1).default('aws/codebuild/standard:7.0').describe('CodeBuild image.'),
    computeType: z
      .enum(['BUILD_GENERAL1_SMALL', 'BUILD_GENERAL1_MEDIUM', 'BUILD_GENERAL1_LARGE', 'BUILD_GENERAL1_2XLARGE'])
      .default('BUILD_GENERAL1_SMALL')
      .describe('CodeBuild compute type.'),
    buildspec: z.string().min(1).default('buildspec.yml').describe('Path of the buildspec in the source.'),
    logRetentionDays: z
      .literal(LOG_RETENTION_DAYS, {
        error: `must be a retention period CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(90)
      .describe('Retention of the build log group, in days.'),
  })
  .describe('The CodeBuild project that builds the source.');

const s3DeploySchema = z
  .strictObject({
    kind: z.literal('s3'),
    bucketName: bucketName
      .optional()
      .describe('Target bucket name; default <project>-<target>-<account id>-<region>.'),
    prefix: z
      .string()
      .regex(/^([\w!.*'()-]+\/)*$/, { error: 'must be empty or a key prefix ending in "/", such as release/' })
      .default('release/')
      .describe('Key prefix the artifact is extracted into.'),
  })
  .describe('Extract the build output into a bucket in the target account; the target account owns the objects.');

export const deploySchema = z.discriminatedUnion('kind', [s3DeploySchema]);

const approvalSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      comment: z.string().max(512).optional().describe('Text shown to the approver.'),
    }),
  ])
  .default(false)
  .describe('A manual approval before this target: true, or an object with details.');

export const targetSchema = z.strictObject({
  name: label.describe('Short name: used in stack, role and stage names.'),
  account: accountSchema,
  approval: approvalSchema,
  deploy: deploySchema,
});

const localBackendSchema = z.strictObject({
  type: z.literal('local'),
  directory: z
    .string()
    .regex(/^[\w.-]+(\/[\w.-]+)*$/, { error: 'must be a relative directory such as terraform-state' })
    .default('terraform-state')
    .describe('Directory, relative to the project root, that holds one state file per stack.'),
});

export const backendSchema = z
  .discriminatedUnion('type', [localBackendSchema])
  .default({ type: 'local', directory: 'terraform-state' })
  .describe('Where every stack keeps its Terraform state.');

// --- guardrails, audit and monitoring ------------------------------------------
// Security options live in their own sections so that topology changes and
// security changes read separately. Every default is the safer choice.

const emails = z
  .array(z.email({ error: (issue) => `must be an email address, got "${String(issue.input)}"` }))
  .default([])
  .describe('Email addresses subscribed to the topic (each must confirm the subscription).');

const trailSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Create a multi-region CloudTrail trail in the pipeline account. Turn off when an organization trail already records the account.'),
    logRetentionDays: z
      .literal(LOG_RETENTION_DAYS, {
        error: `must be a retention period CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365)
      .describe('Retention of the CloudWatch Logs copy of the trail, in days (the S3 copy is kept).'),
  })
  .describe('The audit trail of the pipeline account.');

const alertsSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Alert (SNS) on pipeline changes, job results and approvals made by anyone but the expected roles.'),
    pipelineAdminRoleArns: z
      .array(roleArn)
      .default([])
      .describe('Roles besides pipeline.account.role that may update or delete the pipeline without an alert.'),
    approverRoleArns: z
      .array(roleArn)
      .default([])
      .describe('Roles whose approval results raise no alert; when empty, every approval result alerts.'),
    emails,
  })
  .describe('Alerts on changes made outside the pipeline (seed 004).');

export const auditSchema = z
  .strictObject({
    trail: trailSchema.prefault({}),
    existingTrail: z
      .boolean()
      .default(false)
      .describe(
        'Another trail (such as the organization trail) records the management events of the pipeline account; alerts can rely on it.',
      ),
    alerts: alertsSchema.prefault({}),
  })
  .prefault({})
  .describe('Audit: the CloudTrail trail and alerts on pipeline changes.');

export const monitoringSchema = z
  .strictObject({
    notifications: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('Notify an encrypted SNS topic when an execution fails, and alarm on failed executions and builds.'),
        emails,
      })
      .prefault({}),
    accessLogs: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe('S3 server access logging of the artifact, deploy and trail buckets into a log bucket per account.'),
        retentionDays: z
          .number()
          .int()
          .min(1)
          .max(3650)
          .default(365)
          .describe('Days access logs are kept.'),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('Operations: failure notifications, alarms and S3 access logs.');

const tagKey = z.string().regex(/^[\w .:/=+@-]{1,128}$/, { error: 'must be an AWS tag key (1-128 characters)' });
const tagValue = z.string().regex(/^[\w .:/=+@-]{0,256}$/, { error: 'must be an AWS tag value (0-256 characters)' });

export const guardrailsSchema = z
  .strictObject({
    productionDataTag: z
      .strictObject({
        key: tagKey.default('Environment'),
        value: tagValue.default('production'),
      })
      .prefault({})
      .describe('Data stores with this tag cannot be deleted by any role this project creates.'),
  })
  .prefault({})
  .describe('What the permissions boundary of every role denies beyond its own policy.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    project: label.describe('Project name: prefixes every resource name.'),
    protectStatefulResources: z
      .boolean()
      .default(true)
      .describe('Set prevent_destroy on keys, buckets and the repository. Turn off only for sandboxes.'),
    backend: backendSchema,
    pipeline: z.strictObject({
      account: accountSchema,
      build: buildSchema.default({
        image: 'aws/codebuild/standard:7.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        buildspec: 'buildspec.yml',
        logRetentionDays: 90,
      }),
    }),
    repository: z.strictObject({
      account: accountSchema,
      name: z
        .string()
        .regex(/^[\w.-]{1,100}$/, { error: 'CodeCommit repository names are 1-100 letters, digits, ".", "_" or "-"' })
        .describe('CodeCommit repository name.'),
      branch: z.string().min(1).max(256).default('main').describe('Branch that starts the pipeline.'),
      create: z.boolean().default(true).describe('Create the repository (true) or use an existing one (false).'),
    }),
    targets: z
      .array(targetSchema)
      .min(1, { error: 'at least one target is needed' })
      .describe('Target accounts in release order.'),
    guardrails: guardrailsSchema,
    audit: auditSchema,
    monitoring: monitoringSchema,
  })
  .describe('Topology of a cross-account CodePipeline.');

export type PipelineConfig = z.output<typeof configSchema>;
export type AccountConfig = PipelineConfig['pipeline']['account'];
export type TargetConfig = PipelineConfig['targets'][number];
export type DeployConfig = TargetConfig['deploy'];
export type BackendConfig = PipelineConfig['backend'];
export type GuardrailsConfig = PipelineConfig['guardrails'];
export type AuditConfig = PipelineConfig['audit'];
export type MonitoringConfig = PipelineConfig['monitoring'];
