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
      comment: z
        .string()
        .max(512)
        // Backslashes, line breaks and template sequences do not survive cdktf's HCL output (and `${` means a reference to Terraform).
        .regex(/^(?![\s\S]*(\$\{|%\{))[^\\\r\n]*$/, { error: 'must be one line without backslashes, "${" or "%{"' })
        .optional()
        .describe('Text shown to the approver: one line.'),
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

const localBackendSchema = z
  .strictObject({
    type: z.literal('local'),
    directory: z
      .string()
      .regex(/^[\w.-]+(\/[\w.-]+)*$/, { error: 'must be a relative directory such as terraform-state' })
      .default('terraform-state')
      .describe('Directory, relative to the project root, that holds one state file per stack.'),
  })
  .describe('One state file per stack on the machine that runs Terraform. For trying things out.');

const s3BackendSchema = z
  .strictObject({
    type: z.literal('s3'),
    bucket: bucketName.describe('Existing, versioned bucket that holds the state of every stack.'),
    region: region.describe('Region of the state bucket.'),
    keyPrefix: z
      .string()
      .regex(/^[\w.-]+(\/[\w.-]+)*$/, { error: 'must be a key prefix such as terraform/webapp, without a leading or trailing "/"' })
      .describe('The state of stack <stack> is the object <keyPrefix>/<stack>.tfstate.'),
    locking: z
      .union([
        z.literal('lockfile').describe('A .tflock object beside the state (S3 conditional writes); needs Terraform 1.10 or later.'),
        z
          .strictObject({
            dynamodbTable: z
              .string()
              .regex(/^[\w.-]{3,255}$/, { error: 'must be a DynamoDB table name' })
              .describe('Existing table with the string partition key LockID.'),
          })
          .describe('A DynamoDB table (deprecated by Terraform in favour of the lockfile).'),
      ])
      .default('lockfile')
      .describe('How Terraform locks a state while it writes it.'),
    roleArn: roleArn
      .optional()
      .describe('Role Terraform assumes to read and write state; the caller\'s own credentials when omitted.'),
  })
  .describe('One object per stack in an S3 bucket, encrypted, with state locking.');

const terraformCloudBootstrapSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('Synthesize the tfc-bootstrap stack: project, workspaces, run triggers, output access and dynamic AWS credentials.'),
    autoApply: z
      .boolean()
      .default(false)
      .describe('Apply a workspace without confirmation after a successful plan (including runs started by run triggers).'),
    terraformVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, { error: 'must be an exact Terraform version such as 1.11.4' })
      .optional()
      .describe('Terraform version of the workspaces; the organization default when omitted.'),
    createOidcProvider: z
      .boolean()
      .default(true)
      .describe('Create the IAM OIDC provider for the Terraform Cloud hostname in each account; false when the accounts already have one.'),
  })
  .describe('The optional stack that prepares Terraform Cloud and the AWS accounts for the workspaces.');

const terraformCloudBackendSchema = z
  .strictObject({
    type: z.literal('terraform-cloud'),
    hostname: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, { error: 'must be a host name such as app.terraform.io' })
      .default('app.terraform.io')
      .describe('Terraform Cloud, or the host name of a Terraform Enterprise installation.'),
    organization: z
      .string()
      .regex(/^[\w-]{1,40}$/, { error: 'must be a Terraform Cloud organization name (letters, digits, "_" and "-")' })
      .describe('Organization that owns the workspaces.'),
    project: z
      .string()
      .regex(/^[\w-]{3,40}$/, { error: 'must be 3-40 letters, digits, "_" or "-"' })
      .optional()
      .describe('Terraform Cloud project of the workspaces; default: the top-level project name.'),
    workspacePrefix: z
      .string()
      .regex(/^[\w-]{0,40}$/, { error: 'must be at most 40 letters, digits, "_" or "-"' })
      .optional()
      .describe('Workspace of stack <stack> is <workspacePrefix><stack>; default "<project>-".'),
    outputs: z
      .enum(['tfe_outputs', 'remote_state'])
      .default('tfe_outputs')
      .describe(
        'How a stack reads another stack\'s outputs: tfe_outputs (outputs only, with a read-outputs team token) ' +
          'or terraform_remote_state (whole state, shared with the consuming workspaces only).',
      ),
    bootstrap: terraformCloudBootstrapSchema.default({ enabled: true, autoApply: false, createOidcProvider: true }),
  })
  .describe('One Terraform Cloud workspace per stack, runs in Terraform Cloud with dynamic AWS credentials.');

export const backendSchema = z
  .discriminatedUnion('type', [localBackendSchema, s3BackendSchema, terraformCloudBackendSchema])
  .default({ type: 'local', directory: 'terraform-state' })
  .describe('Where every stack keeps its Terraform state. One choice for all stacks.');

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
  })
  .describe('Topology of a cross-account CodePipeline.');

export type PipelineConfig = z.output<typeof configSchema>;
export type AccountConfig = PipelineConfig['pipeline']['account'];
export type TargetConfig = PipelineConfig['targets'][number];
export type DeployConfig = TargetConfig['deploy'];
export type BackendConfig = PipelineConfig['backend'];
export type S3BackendConfig = Extract<BackendConfig, { type: 's3' }>;
export type TerraformCloudBackendConfig = Extract<BackendConfig, { type: 'terraform-cloud' }>;
