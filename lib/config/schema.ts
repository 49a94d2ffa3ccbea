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

/** A log group retention CloudWatch Logs accepts; each use sets its own default. */
const logRetentionDays = z.literal(LOG_RETENTION_DAYS, {
  error: `must be a retention period CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
});

const accountId = z
  .string({ error: 'must be a quoted string of 12 digits (unquoted YAML numbers lose leading zeros)' })
  .regex(/^\d{12}$/, { error: (issue) => `must be a 12-digit AWS account id, got "${String(issue.input)}"` });

const region = z.enum(AWS_REGIONS, {
  error: (issue) =>
    issue.input === undefined ? 'is required: an AWS region such as eu-central-1' : `unknown AWS region ${JSON.stringify(issue.input)}`,
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

/**
 * The string rule (docs/configuration.md#text-that-reaches-terraform). Every
 * configuration string that reaches Terraform is written into both
 * `cdk.tf.json` and `cdk.tf`, where Terraform reads `${...}` and `%{...}` as
 * templates. Text is therefore one line of printable characters: no control
 * characters (line breaks, tabs, escapes) and no bidirectional-override
 * characters (which make a reviewer read something else than Terraform
 * does); no backslash or double quote (cdktf's HCL output does not escape
 * them, so the HCL would not mean what the JSON means); and, per field,
 * either no template sequence at all (`terraformSafeText`) or template
 * sequences escaped so that Terraform passes them on literally
 * (`terraformLiteralText`, for IAM resources, where `${aws:username}` is an
 * IAM policy variable).
 */
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const UNSAFE_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The first character of `value` that text may not contain, as U+XXXX, or undefined. */
export function unsafeCharacter(value: string): string | undefined {
  const found = UNSAFE_CHARACTER.exec(value)?.[0];
  return found === undefined ? undefined : `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `${` → `$${` and `%{` → `%%{`: Terraform reads the result as the literal text. */
export function escapeTemplates(value: string): string {
  return value.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** One line of printable text without `\` or `"` (both synths carry it literally). */
const plainText = z
  .string()
  .refine((value) => unsafeCharacter(value) === undefined, {
    error: (issue) =>
      `must not contain control or bidirectional-override characters (found ${unsafeCharacter(String(issue.input))}): ` +
      'text is one line, and reads the same to a reviewer as to Terraform',
  })
  .refine((value) => !/[\\"]/.test(value), {
    // Not aborting: inside a union (approval: true | {...}) an aborted issue would hide the field's path.
    error: 'must not contain a backslash or a double quote: the HCL output (cdktf synth --hcl) cannot carry them literally',
  });

/** Text that lands in HCL strings, where `${` and `%{` would start a Terraform template: refused. */
const terraformSafeText = plainText.refine((value) => !/[$%]\{/.test(value), {
  error: 'must not contain "${" or "%{": Terraform would read it as a template (CodePipeline variables use "#{...}")',
});

/** Text where `${...}` means something to AWS (IAM policy variables): escaped, so Terraform passes it on literally. */
const terraformLiteralText = plainText.overwrite(escapeTemplates);

/**
 * A resource of an IAM policy: IAM accepts only U+0020-U+00FF in policy documents (besides tab and line breaks,
 * which plainText refuses): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 */
const iamResource = terraformLiteralText.min(1).regex(/^[\u0020-\u00ff]*$/, {
  error: 'IAM policies accept only characters U+0020-U+00FF (Basic Latin and Latin-1)',
});

/** An account of `platform.accounts`, by name: the platform team owns the list of accounts and their roles. */
const accountName = label.max(32).describe('Name of an account in platform.accounts.');

export const accountSchema = z
  .strictObject({
    id: accountId.describe('The 12-digit AWS account id.'),
    region: region.describe('The region Terraform works in for this account.'),
    role: roleArn.describe('The IAM role Terraform assumes in this account.'),
  })
  .describe('An AWS account and the role Terraform assumes there.');

const buildSchema = z
  .strictObject({
    image: terraformSafeText.min(1).default('aws/codebuild/standard:7.0').describe('CodeBuild image.'),
    computeType: z
      .enum(['BUILD_GENERAL1_SMALL', 'BUILD_GENERAL1_MEDIUM', 'BUILD_GENERAL1_LARGE', 'BUILD_GENERAL1_2XLARGE'])
      .default('BUILD_GENERAL1_SMALL')
      .describe('CodeBuild compute type.'),
    buildspec: terraformSafeText.min(1).default('buildspec.yml').describe('Path of the buildspec in the source.'),
    logRetentionDays: logRetentionDays
      .default(90)
      .describe('Retention of the build log group, in days.'),
  })
  .describe('The CodeBuild project that builds the source.');

/** A CodeBuild environment variable name; CodeBuild reserves the CODEBUILD_ prefix. */
const environmentVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: 'must be an environment variable name: letters, digits and "_", not starting with a digit' })
  .refine((name) => !name.toUpperCase().startsWith('CODEBUILD_'), { error: 'CodeBuild reserves variables starting with CODEBUILD_' });

const kmsKeyArn = z
  .string()
  .regex(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[a-f0-9-]{32,36}$/, {
    error: (issue) => `must be a KMS key ARN such as arn:aws:kms:ap-northeast-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab, got "${String(issue.input)}"`,
  });

/** A complete secret ARN ends with "-" and the six random characters Secrets Manager appends to the name. */
export const SECRET_ARN = /^arn:aws:secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@-]{1,512})-([A-Za-z0-9]{6})$/;
export const PARAMETER_ARN = /^arn:aws:ssm:([a-z0-9-]+):(\d{12}):parameter\/([A-Za-z0-9_.\/-]{1,2048})$/;

const buildSecretSchema = z
  .strictObject({
    variable: environmentVariableName.describe('Environment variable the build sees the value in.'),
    secretArn: z
      .string()
      .regex(SECRET_ARN, {
        error: (issue) =>
          'must be the complete ARN of a secret, with the hyphen and six characters Secrets Manager appends ' +
          `(arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf), got "${String(issue.input)}"; or give secretName instead`,
      })
      .optional()
      .describe('Complete secret ARN (with its 6-character suffix): the build role may read exactly that secret.'),
    secretName: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, { error: 'secret names are 1-512 letters, digits and /_+=.@-' })
      .optional()
      .describe('Name of a secret of the tooling account and region: the build role may read the secret of that name (<name>-??????).'),
    jsonKey: z
      .string()
      .regex(/^[A-Za-z0-9_.@/+=-]{1,256}$/, { error: 'must be the key of a JSON secret: letters, digits and _.@/+=-, no ":"' })
      .optional()
      .describe('Key of a JSON secret whose value the variable gets; the whole secret when omitted.'),
    versionStage: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/, { error: 'must be a version stage such as AWSCURRENT' })
      .optional()
      .describe('Version stage to read; default AWSCURRENT.'),
    kmsKeyArn: kmsKeyArn
      .optional()
      .describe('Customer-managed key that encrypts the secret: the build role may decrypt with it only through Secrets Manager. Omit for the AWS managed key aws/secretsmanager.'),
  })
  .refine((secret) => (secret.secretArn === undefined) !== (secret.secretName === undefined), {
    error: 'give exactly one of secretArn (the complete ARN) and secretName',
    path: ['secretArn'],
  })
  .describe('An environment variable CodeBuild reads from a Secrets Manager secret when the build starts (type SECRETS_MANAGER).');

const buildParameterSchema = z
  .strictObject({
    variable: environmentVariableName.describe('Environment variable the build sees the value in.'),
    parameter: z
      .string()
      .regex(/^(arn:aws:ssm:[a-z0-9-]+:\d{12}:parameter\/[A-Za-z0-9_.\/-]{1,2048}|\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*)$/, {
        error: (issue) => `must be a parameter name such as /acme/api/url or its ARN, got "${String(issue.input)}"`,
      })
      .describe('Name or ARN of a Systems Manager parameter of the tooling account and region.'),
    kmsKeyArn: kmsKeyArn
      .optional()
      .describe('Customer-managed key of a SecureString parameter: the build role may decrypt with it only through Systems Manager. Omit for aws/ssm or a String parameter.'),
  })
  .describe('An environment variable CodeBuild reads from a Parameter Store parameter when the build starts (type PARAMETER_STORE).');

/** A pipeline's build: the platform's build settings, plus the secrets and parameters only this pipeline's build reads. */
const pipelineBuildSchema = buildSchema
  .extend({
    secrets: z
      .array(buildSecretSchema)
      .default([])
      .describe('Environment variables from Secrets Manager; the build role may read exactly these secrets, the values never enter Terraform.'),
    parameters: z
      .array(buildParameterSchema)
      .default([])
      .describe('Environment variables from Parameter Store; the build role may read exactly these parameters.'),
  })
  .describe('The CodeBuild project that builds the source, and the secrets and parameters it reads.');

const s3DeploySchema = z
  .strictObject({
    kind: z.literal('s3'),
    bucketName: bucketName
      .optional()
      .describe('Target bucket name; default <platform>-<pipeline>-<target>-<account id>-<region>. While access logs are on it must start with <platform>-.'),
    prefix: z
      .string()
      .regex(/^([\w!.*'()-]+\/)*$/, { error: 'must be empty or a key prefix ending in "/", such as release/' })
      .default('release/')
      .describe('Key prefix the artifact is extracted into.'),
  })
  .describe('Extract the build output into a bucket in the target account; the target account owns the objects.');

/** A file inside the build output artifact. */
const artifactPath = z
  .string()
  .regex(/^[\w.-]+(\/[\w.-]+)*$/, { error: 'must be a relative path inside the build output, such as deploy/template.yaml' });

/** Services no role of this project may call: changing IAM, chaining roles, changing the organization or account. */
const REFUSED_SERVICES = ['iam', 'sts', 'organizations', 'account'];

const iamStatementSchema = z.strictObject({
  sid: z
    .string()
    .regex(/^[A-Za-z0-9]+$/, { error: 'statement ids are letters and digits' })
    .optional()
    .describe('Statement id; default Grant<n>.'),
  actions: z
    .array(
      z
        .string()
        .refine((action) => !REFUSED_SERVICES.includes(action.split(':')[0]), {
          error:
            'IAM, STS, Organizations and account actions are refused: no role of this project changes IAM or assumes roles ' +
            '(create the roles the template needs outside it, and pass them with executionRole.passRoles)',
          abort: true,
        })
        .regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/, {
          error: 'must be an exact action such as dynamodb:CreateTable: a wildcard would allow more than the template manages',
        }),
    )
    .min(1)
    .describe('Exact IAM actions, no wildcards (so never administrator); no IAM, STS, Organizations or account actions.'),
  resources: z
    .array(iamResource)
    .min(1)
    .describe('Resource ARNs (wildcards and IAM policy variables such as ${aws:PrincipalAccount} allowed).'),
});

const passRolesSchema = z
  .array(
    z.strictObject({
      service: z
        .string()
        .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/, { error: 'must be a service principal such as lambda.amazonaws.com' })
        .describe('The service the roles are handed to (iam:PassedToService).'),
      roles: z.array(roleArn).min(1).describe('Existing roles of the target account.'),
    }),
  )
  .default([])
  .describe('Existing roles the execution role may pass, each only to its service, e.g. a function role to lambda.amazonaws.com.');

const cloudFormationDeploySchema = z
  .strictObject({
    kind: z.literal('cloudformation'),
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, {
        error: 'CloudFormation stack names are up to 128 letters, digits and hyphens, starting with a letter',
      })
      .describe('Stack to create or update in the target account.'),
    templatePath: artifactPath.default('template.yaml').describe('Template file inside the build output.'),
    templateConfiguration: artifactPath
      .optional()
      .describe('Template configuration file (parameters, tags, stack policy) inside the build output.'),
    parameterOverrides: z
      .record(z.string().regex(/^[A-Za-z0-9]{1,255}$/, { error: 'parameter names are letters and digits' }), terraformSafeText)
      .default({})
      .describe('Template parameters to override; values may use CodePipeline variables such as #{SourceVariables.CommitId}.'),
    capabilities: z
      // CAPABILITY_IAM and CAPABILITY_NAMED_IAM acknowledge IAM resources, which the execution role may not create.
      .array(
        z.enum(['CAPABILITY_AUTO_EXPAND'], {
          error: 'the only capability is CAPABILITY_AUTO_EXPAND: the execution role creates no IAM resources (pass existing roles)',
        }),
      )
      .default([])
      .describe('Capabilities the template needs acknowledged: CAPABILITY_AUTO_EXPAND for macros and transforms.'),
    mode: z
      .enum(['direct', 'change-set'])
      .default('direct')
      .describe('direct: create or update the stack; change-set: create a change set, then execute it.'),
    changeSetName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, { error: 'change set names are letters, digits and hyphens' })
      .default('pipeline')
      .describe('Change set name in change-set mode.'),
    executionRole: z
      .strictObject({
        statements: z
          .array(iamStatementSchema)
          .min(1, { error: 'grant the CloudFormation execution role what the template manages (it gets nothing else)' }),
        passRoles: passRolesSchema,
      })
      .describe('What the CloudFormation execution role may do: exactly what the template manages. Never administrator by default.'),
  })
  .describe('Deploy a CloudFormation stack in the target account, with an execution role only CloudFormation can use.');

const ecsName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, { error: 'ECS names are 1-255 letters, digits, hyphens and underscores' });

const taskRoles = z
  .array(roleArn)
  .default([])
  .describe('Task and task execution roles of the service: the only roles the deploy may pass, and only to ECS tasks.');

const ecsDeploySchema = z
  .strictObject({
    kind: z.literal('ecs'),
    cluster: ecsName.describe('ECS cluster name.'),
    service: ecsName.describe('ECS service name.'),
    imageDefinitionsFile: artifactPath.default('imagedefinitions.json').describe('Image definitions file in the build output.'),
    taskRoles,
    deploymentTimeoutMinutes: z
      .int()
      .min(1)
      .max(60)
      .optional()
      .describe('How long the rolling deployment may take (1-60 minutes; CodePipeline default 60).'),
  })
  .describe('Rolling deployment of an existing ECS service.');

const listenerArn = z
  .string()
  .regex(/^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/(app|net)\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/, {
    error: (issue) => `must be a load balancer listener ARN, got "${String(issue.input)}"`,
  });

const targetGroupName = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,32}$/, { error: 'target group names are 1-32 letters, digits and hyphens' });

const trafficShiftSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all-at-once') }),
  z.strictObject({
    type: z.literal('linear'),
    percentage: z.int().min(1).max(99).describe('Share of traffic shifted at each step.'),
    intervalMinutes: z.int().min(1).max(2880).describe('Minutes between steps.'),
  }),
  z.strictObject({
    type: z.literal('canary'),
    percentage: z.int().min(1).max(99).describe('Share of traffic shifted first.'),
    intervalMinutes: z.int().min(1).max(2880).describe('Minutes before the rest is shifted.'),
  }),
]);

const ecsBlueGreenDeploySchema = z
  .strictObject({
    kind: z.literal('ecs-blue-green'),
    cluster: ecsName.describe('ECS cluster name; the service must use the CODE_DEPLOY deployment controller.'),
    service: ecsName.describe('ECS service name.'),
    taskRoles,
    taskDefinitionFile: artifactPath.default('taskdef.json').describe('Task definition template in the build output.'),
    appSpecFile: artifactPath.default('appspec.yaml').describe('AppSpec file in the build output.'),
    imagePlaceholder: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/)
      .optional()
      .describe('Placeholder in the task definition replaced with the image of imageDetail.json in the build output.'),
    productionListener: listenerArn.describe('Listener that serves production traffic.'),
    testListener: listenerArn.optional().describe('Listener for test traffic before the shift.'),
    targetGroups: z
      .tuple([targetGroupName, targetGroupName])
      .describe('The two target groups CodeDeploy switches between (blue, green).'),
    traffic: trafficShiftSchema
      .default({ type: 'all-at-once' })
      .describe('How traffic moves to the new tasks: all-at-once, linear or canary.'),
    terminateBlueAfterMinutes: z
      .int()
      .min(0)
      .max(2880)
      .default(5)
      .describe('Minutes the old tasks keep running after a successful shift, for a quick rollback.'),
  })
  .describe('Blue/green deployment of an ECS service through CodeDeploy.');

const invokePipelineDeploySchema = z
  .strictObject({
    kind: z.literal('invoke-pipeline'),
    pipelineName: z
      .string()
      .regex(/^[A-Za-z0-9.@_-]{1,100}$/, { error: 'pipeline names are 1-100 letters, digits, ".", "@", "_" or "-"' })
      .describe('Name (not ARN) of the V2 pipeline to start in the target account.'),
    variables: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9@_-]{1,128}$/, { error: 'variable names are 1-128 letters, digits, "@", "_" or "-"' })
          // A map key __proto__ would be dropped silently when the map is copied.
          .refine((name) => name !== '__proto__', { error: '"__proto__" cannot be a variable name' }),
        terraformSafeText.min(1, { error: 'CodePipeline refuses empty variable values' }),
      )
      .default({})
      .describe('Pipeline variables passed to the started pipeline; values may use #{...} variables.'),
    sourceRevision: z
      .strictObject({
        actionName: z
          .string()
          .regex(/^[A-Za-z0-9.@_-]{1,100}$/)
          .describe('Name of the source action in the started pipeline.'),
      })
      .optional()
      .describe('Pass this run\'s source revision to that source action of the started pipeline.'),
  })
  .describe('Start a pipeline in the target account (CodePipeline invoke action); the target role may only start that pipeline.');

/** A Lambda function or alias name (https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html). */
const lambdaFunctionName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'Lambda function names are 1-64 letters, digits, hyphens and underscores (the name, not an ARN)' });

/**
 * A CloudWatch alarm name, as it lands in an ARN, a rule configuration and the
 * comma-separated Alarms list of the Lambda deploy action: no commas, no IAM
 * wildcards (`*`, `?` would widen the grant to other alarms), no "${".
 */
export const alarmName = z
  .string()
  .regex(/^[A-Za-z0-9 _.:/#+=@-]{1,255}$/, {
    error: (issue) =>
      `must be a CloudWatch alarm name of 1-255 letters, digits, spaces and _ . : / # + = @ - (no commas or wildcards), got "${String(issue.input)}"`,
  });

const lambdaDeploySchema = z
  .strictObject({
    kind: z.literal('lambda'),
    functionName: lambdaFunctionName.describe('Existing function in the target account and region, with at least one published version.'),
    alias: z
      .string()
      .regex(/^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/, { error: 'alias names are 1-128 letters, digits, hyphens and underscores, not only digits' })
      .describe('Existing alias the release moves to the new version (it must point at a version; that version is the rollback target).'),
    traffic: trafficShiftSchema
      .default({ type: 'all-at-once' })
      .describe('How the alias moves to the new version: all-at-once, linear or canary (total wait at most 2 days).'),
    alarms: z
      .array(alarmName)
      .max(10, { error: 'the Lambda deploy action watches at most 10 alarms' })
      .default([])
      .describe('Alarms of the target account and region that stop the traffic shift when they go to ALARM.'),
  })
  .describe('Publish the build output as a new version of an existing Lambda function and shift its alias to it (CodePipeline Lambda deploy action).');

export const deploySchema = z.discriminatedUnion('kind', [
  s3DeploySchema,
  cloudFormationDeploySchema,
  ecsDeploySchema,
  ecsBlueGreenDeploySchema,
  invokePipelineDeploySchema,
  lambdaDeploySchema,
]);

/** An approver role of the tooling account: its ARN, or a role-name pattern with * and ? (not only wildcards). */
const approverRole = z.string().refine(
  (role) =>
    /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/.test(role) || (/^[\w+=,.@*?-]{1,64}$/.test(role) && /[\w+=,.@-]/.test(role)),
  {
    error: (issue) =>
      'must be a role ARN of the tooling account, or a role-name pattern of letters, digits, +=,.@_- and the wildcards * and ? ' +
      `(not only wildcards, which would let every role approve), such as release-*, got "${String(issue.input)}"`,
  },
);

const approverGroupSchema = z
  .strictObject({
    name: label.max(32).describe('Group name: part of the approval action and policy names.'),
    roles: z
      .array(approverRole)
      .min(1)
      .describe('Roles of the tooling account that answer for this group: role ARNs or role-name patterns (release-*).'),
  })
  .describe('One group of approvers: its own approval action, answerable only by its roles.');

const approvalSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      comment: terraformSafeText
        .max(512)
        // Backslashes and line breaks do not survive cdktf's HCL output.
        .regex(/^[^\\\r\n]*$/, { error: 'must be one line without backslashes' })
        .optional()
        .describe('Text shown to the approver (CodePipeline CustomData).'),
      reviewUrl: z
        .url({ protocol: /^https$/, error: 'must be an https:// URL' })
        .max(1000)
        .pipe(terraformSafeText)
        .optional()
        .describe('Link the approver reviews before deciding, e.g. a staging site or dashboard (ExternalEntityLink).'),
      timeoutMinutes: z
        .int()
        .min(5)
        .max(86400)
        .optional()
        .describe('Minutes before an unanswered approval fails (5-86400; CodePipeline default 7 days).'),
      approverGroups: z
        .array(approverGroupSchema)
        .min(1)
        .max(10, { error: 'at most 10 approver groups: each is an approval action of its own' })
        .optional()
        .describe(
          'Groups that must each approve, in order: one approval action per group, each answerable only by roles of its group ' +
            '(through the managed policy generated for it). Groups may not overlap.',
        ),
    }),
  ])
  .default(false)
  .describe('A manual approval before this target: true, or an object with details.');

const pipelineVariableSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9@_-]{1,128}$/, { error: 'variable names are 1-128 letters, digits, "@", "_" or "-"' })
    .describe('Referenced in action configuration as #{variables.<name>}.'),
  default: terraformSafeText.min(1).max(1000).optional().describe('Value when a run does not set one.'),
  description: terraformSafeText.max(200).optional(),
});

const onFailureSchema = z
  .strictObject({
    source: z
      .enum(['retry', 'fail'])
      .default('retry')
      .describe('retry: retry the failed source action once (it only reads); fail: stop.'),
    build: z
      .enum(['retry', 'fail'])
      .default('retry')
      .describe('retry: retry the failed build once (it only writes new artifacts); fail: stop.'),
    deploy: z
      .enum(['rollback', 'fail'])
      .default('rollback')
      .describe('rollback: redeploy the stage\'s last successful run (not in PARALLEL mode); fail: stop.'),
  })
  .describe('What a failed stage does. Approval stages always fail: a rejection must stop the release.');

const approvalNotificationsSchema = z
  .strictObject({
    emails: z
      .array(z.email({ error: (issue) => `must be an e-mail address, got "${String(issue.input)}"` }))
      .default([])
      .describe('Addresses subscribed to approval requests; each confirms the subscription from the first e-mail.'),
  })
  .describe('Who is told that an approval is waiting.');

/** Time zones the DeploymentWindow rule reads: Region/City or UTC with an offset (rule reference, TimeZone). */
const TIME_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

/**
 * One field of a DeploymentWindow cron expression: values, ranges, lists and
 * steps of what the field allows, and the field's special characters
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html).
 */
function cronField(name: string, min: number, max: number, names: string[], special: RegExp): (value: string) => string | undefined {
  const atom = (part: string): boolean => {
    if (part === '*') return true;
    const value = (v: string) => {
      const index = names.indexOf(v.toUpperCase());
      if (index >= 0) return true;
      return /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
    };
    const range = part.split('-');
    return range.length <= 2 && range.every(value);
  };
  return (field) => {
    const ok = field.split(',').every((item) => {
      if (special.test(item)) return true;
      const [base, step, ...rest] = item.split('/');
      if (rest.length > 0) return false;
      if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return false;
      return atom(base);
    });
    return ok ? undefined : `${name} "${field}" is not ${min}-${max}${names.length ? ` or ${names[0]}-${names.at(-1)}` : ''} with , - * /`;
  };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const CRON_FIELDS = [
  // The reference allows only "*" for seconds; its own example starts with "0".
  (field: string) => (field === '*' || field === '0' ? undefined : `seconds "${field}" must be * or 0`),
  cronField('minutes', 0, 59, [], /^$/),
  cronField('hours', 0, 23, [], /^$/),
  cronField('day-of-month', 1, 31, [], /^(\?|L|LW|L-\d{1,2}|\d{1,2}W)$/),
  cronField('month', 1, 12, MONTHS, /^$/),
  cronField('day-of-week', 1, 7, WEEKDAYS, /^(\?|L|[1-7]L|[1-7]#[1-5])$/),
  cronField('year', 1970, 2199, [], /^$/),
];

/** Problems of a DeploymentWindow cron expression: 6 fields and an optional year, each within its values. */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    return `must have 6 fields and an optional year (seconds minutes hours day-of-month month day-of-week [year]), such as "0 0 9-16 ? * MON-FRI *"; got ${fields.length}`;
  }
  for (const [i, field] of fields.entries()) {
    const problem = CRON_FIELDS[i](field);
    if (problem) return problem;
  }
  if (fields[3] !== '?' && fields[5] !== '?') return 'one of day-of-month and day-of-week must be "?" (give the days in the other)';
  return undefined;
}

const deploymentWindowSchema = z
  .strictObject({
    cron: z
      .string()
      .max(256)
      .superRefine((cron, context) => {
        const problem = cronProblem(cron);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      })
      .describe('When the deploy stage may start: seconds minutes hours day-of-month month day-of-week [year], e.g. "0 0 9-16 ? * MON-FRI *".'),
    timeZone: z
      .string()
      .refine((zone) => /^UTC([+-](0\d|1[0-4]):[0-5]\d)?$/.test(zone) || (/^[A-Za-z]+\/[A-Za-z_]+$/.test(zone) && TIME_ZONES.has(zone)), {
        error: (issue) =>
          `must be a Region/City time zone such as Europe/Berlin, or UTC with an offset such as UTC+05:30, got "${String(issue.input)}" ` +
          '(abbreviations such as CST are ambiguous and refused)',
      })
      .default('UTC')
      .describe('Time zone of the cron expression: Region/City (Europe/Berlin) or UTC[+-HH:MM]; default UTC.'),
  })
  .describe('Runs enter this target\'s deploy stage only inside the window; outside it the run fails at the stage entry (DeploymentWindow rule).');

const alarmGateSchema = z
  .strictObject({
    names: z
      .array(alarmName)
      .min(1)
      .max(5, { error: 'a CodePipeline condition holds at most 5 rules, one per alarm' })
      .describe('Existing alarms of the target account and region to watch after the deploy.'),
    waitMinutes: z
      .int()
      .min(1)
      .max(1440)
      .default(10)
      .describe('Bake time: minutes the alarms are watched after the stage succeeds before the run goes on (WaitTime).'),
  })
  .describe('Watch alarms after this target deploys; when one goes to ALARM the stage rolls back (or fails where rollback is off).');

export const targetSchema = z.strictObject({
  name: label.describe('Short name: used in stack, role and stage names.'),
  account: accountName,
  region: region.optional().describe('Region of the target; default the tooling region. It must be one of platform.regions.'),
  wave: label
    .max(64)
    .optional()
    .describe(
      'Targets listed together with the same wave deploy in parallel in one stage (Deploy-<wave>); ' +
        'waves release in the order they appear. Without a wave a target is a wave of its own.',
    ),
  approval: approvalSchema,
  deploy: deploySchema,
  alarms: alarmGateSchema.optional(),
  deploymentWindow: deploymentWindowSchema.optional(),
});

const codeCommitSourceSchema = z
  .strictObject({
    kind: z.literal('codecommit'),
    account: accountName.describe('The repository account, by name.'),
    region: region.optional().describe('Region of the repository; default (and it must be) the tooling region.'),
    name: z
      .string()
      .regex(/^[\w.-]{1,100}$/, { error: 'CodeCommit repository names are 1-100 letters, digits, ".", "_" or "-"' })
      .describe('CodeCommit repository name.'),
    branch: terraformSafeText.min(1).max(256).default('main').describe('Branch that starts the pipeline.'),
    create: z.boolean().default(true).describe('Create the repository (true) or use an existing one (false).'),
  })
  .describe('A CodeCommit repository in its own account; its change events reach the pipeline account over EventBridge.');

/** A glob pattern of a V2 trigger filter (CodePipeline: 1-255 characters, at most 8 per list). */
const triggerPatterns = z
  .array(terraformSafeText.min(1).max(255))
  .min(1)
  .max(8, { error: 'CodePipeline allows 8 patterns per include or exclude list' });

const triggerPatternFilter = z
  .strictObject({ includes: triggerPatterns.optional(), excludes: triggerPatterns.optional() })
  .refine((f) => f.includes !== undefined || f.excludes !== undefined, { error: 'give includes, excludes or both' });

const pushFilterSchema = z
  .strictObject({
    branches: triggerPatternFilter.optional().describe('Branches whose pushes start the pipeline.'),
    filePaths: triggerPatternFilter.optional().describe('With branches: only pushes that change these paths start it.'),
    tags: triggerPatternFilter.optional().describe('Tags whose push starts the pipeline.'),
  })
  .superRefine((filter, context) => {
    if ((filter.branches === undefined) === (filter.tags === undefined)) {
      context.addIssue({ code: 'custom', message: 'a push filter matches branches (optionally with filePaths) or tags, one of them' });
    } else if (filter.filePaths !== undefined && filter.branches === undefined) {
      context.addIssue({ code: 'custom', path: ['filePaths'], message: 'file paths narrow branch pushes; give branches too' });
    }
  })
  .describe('Pushes to branches (optionally only when given paths change), or pushed tags.');

const connectionArn = z
  .string()
  .regex(/^arn:aws:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, {
    error: (issue) => `must be a CodeConnections connection ARN, got "${String(issue.input)}"`,
  });

const connectionSourceSchema = z
  .strictObject({
    kind: z.literal('connection'),
    provider: z.enum(['GitHub', 'GitLab', 'Bitbucket']).describe('Where the repository is hosted.'),
    repository: z
      .string()
      .regex(/^[\w.-]+(\/[\w.-]+)+$/, { error: 'must be owner/name (GitLab: group/subgroup/name)' })
      .max(1000, { error: 'CodePipeline allows 1000 characters per action configuration value (FullRepositoryId)' })
      .describe('Full repository id, e.g. my-org/webapp.'),
    branch: terraformSafeText.min(1).max(255).default('main').describe('Branch of manual runs, and of pushes when no triggers are given.'),
    connectionArn: connectionArn
      .optional()
      .describe('An existing connection in the pipeline account and region; otherwise one is created (then completed once in the console).'),
    triggers: z
      .array(pushFilterSchema)
      .min(1)
      .max(3, { error: 'CodePipeline allows 3 push filters per source action' })
      .optional()
      .describe('V2 push triggers; default: pushes to the branch. Pull requests never start a release.'),
  })
  .describe('A GitHub, GitLab or Bitbucket repository through a CodeConnections connection held by the pipeline account.');

const s3SourceSchema = z
  .strictObject({
    kind: z.literal('s3'),
    bucketName: bucketName.optional().describe('Source bucket; default <platform>-<pipeline>-source-<account id>-<region>. A created one must start with <platform>- while access logs are on.'),
    objectKey: z
      .string()
      .regex(/^[\w!.*'()-]+(\/[\w!.*'()-]+)*$/, { error: 'must be an object key such as releases/app.zip' })
      .max(1000, { error: 'CodePipeline allows 1000 characters per action configuration value (S3ObjectKey)' })
      .default('source.zip')
      .describe('The zip file whose new versions start the pipeline.'),
    create: z.boolean().default(true).describe('Create the versioned bucket (true) or use an existing one (false).'),
    uploaders: z
      .array(roleArn)
      .default([])
      .describe('Roles of the pipeline account that may upload the object (a created bucket denies everyone else).'),
    kmsKeyArn: z
      .string()
      .regex(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, { error: 'must be a KMS key ARN' })
      .optional()
      .describe('Key that encrypts an existing bucket, which the pipeline role may then decrypt with.'),
  })
  .describe('A versioned object in a bucket of the pipeline account (seed 002); its new versions start the pipeline.');

export const sourceSchema = z
  .discriminatedUnion('kind', [codeCommitSourceSchema, connectionSourceSchema, s3SourceSchema])
  .describe('Where the pipeline gets the source from. Source actions run in the pipeline\'s region.');

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
      .describe('Terraform Cloud project of the workspaces; default: the platform name.'),
    workspacePrefix: z
      .string()
      .regex(/^[\w-]{0,40}$/, { error: 'must be at most 40 letters, digits, "_" or "-"' })
      .optional()
      .describe('Workspace of stack <stack> is <workspacePrefix><platform>-<stack>; default no prefix.'),
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
    logRetentionDays: logRetentionDays
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
      .describe('Roles besides platform.tooling.role that may update or delete the pipeline without an alert.'),
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
    existingTrailLogGroup: z
      .string()
      .regex(/^[\w#/.-]{1,512}$/, { error: 'must be a CloudWatch Logs log group name such as aws-controltower/CloudTrailLogs' })
      .optional()
      .describe(
        'With audit.existingTrail: the log group of the tooling account that receives that trail\'s events. The build-secret ' +
          'read metrics and alarms and the dashboards\' CloudTrail widgets need it; without it they are skipped.',
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

/** An account the platform serves: a name pipelines refer to, its id and the role Terraform assumes there. */
const namedAccountSchema = z
  .strictObject({
    name: accountName.describe('Name pipelines use for this account, e.g. staging.'),
    id: accountId.describe('The 12-digit AWS account id.'),
    role: roleArn.describe('The IAM role Terraform assumes in this account.'),
  })
  .describe('An account the platform serves.');

const DEFAULT_BUILD = {
  image: 'aws/codebuild/standard:7.0',
  computeType: 'BUILD_GENERAL1_SMALL',
  buildspec: 'buildspec.yml',
  logRetentionDays: 90,
} as const;

/** The platform: owned by the platform team, shared by every pipeline. */
export const platformSchema = z
  .strictObject({
    name: label
      .max(20, { error: 'at most 20 characters: it prefixes bucket names, which S3 limits to 63' })
      .describe('Platform name: prefixes every resource name, stack state and workspace.'),
    tooling: accountSchema.describe('The tooling account that runs every pipeline, its region and Terraform role.'),
    accounts: z
      .array(namedAccountSchema)
      .default([])
      .describe('Accounts pipelines may use as repository or target accounts, by name.'),
    regions: z
      .array(region)
      .optional()
      .describe('Regions the platform serves; default the tooling region, which is always served.'),
    protectStatefulResources: z
      .boolean()
      .default(true)
      .describe('Set prevent_destroy on keys, buckets, the repository and the connection. Turn off only for sandboxes.'),
    backend: backendSchema,
    guardrails: guardrailsSchema,
    audit: auditSchema,
    monitoring: monitoringSchema,
    defaults: z
      .strictObject({ build: buildSchema.default(DEFAULT_BUILD) })
      .prefault({})
      .describe('Defaults for every pipeline; a pipeline\'s own build block replaces them.'),
  })
  .describe('The delivery platform: tooling account, served accounts and regions, backend and security settings.');

/** One pipeline: owned by a service team. */
export const pipelineSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: label
      .max(24, { error: 'at most 24 characters: it is part of role and bucket names' })
      .describe('Pipeline name: prefixes the pipeline\'s stacks and resource names.'),
    source: sourceSchema,
    build: pipelineBuildSchema.optional().describe('The CodeBuild project; default platform.defaults.build.'),
    approvals: approvalNotificationsSchema.default({ emails: [] }),
    executionMode: z
      .enum(['QUEUED', 'SUPERSEDED', 'PARALLEL'])
      .default('QUEUED')
      .describe('How runs share the pipeline: one after another (QUEUED), newer replaces waiting (SUPERSEDED), or at once (PARALLEL).'),
    variables: z
      .array(pipelineVariableSchema)
      .max(50, { error: 'CodePipeline allows 50 pipeline variables' })
      .default([])
      .describe('Pipeline-level variables, set when a run starts.'),
    onFailure: onFailureSchema.default({ source: 'retry', build: 'retry', deploy: 'rollback' }),
    targets: z
      .array(targetSchema)
      .min(1, { error: 'at least one target is needed' })
      .describe('Targets in release order; consecutive targets of one wave deploy together.'),
  })
  .describe('One pipeline of the platform: its source, build and targets.');

/** One file with the platform and its pipelines. */
export const platformFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    platform: platformSchema,
    pipelines: z.array(pipelineSchema).min(1, { error: 'at least one pipeline is needed' }),
  })
  .describe('A delivery platform and its pipelines.');

/** The platform file of a directory configuration: `platform.yaml` beside `pipelines/<name>.yaml`. */
export const platformOnlyFileSchema = z
  .strictObject({ $schema: z.string().optional(), platform: platformSchema })
  .describe('The platform file of a configuration directory.');

export type PlatformSection = z.output<typeof platformSchema>;
export type PipelineSection = z.output<typeof pipelineSchema>;
export type PlatformInput = z.input<typeof platformFileSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;

/** An account as stacks use it: id, the region Terraform works in, the Terraform role, and its platform name. */
export type AccountConfig = z.output<typeof accountSchema> & { name?: string };
type RawTarget = z.output<typeof targetSchema>;
/** A target with its account resolved from the platform. */
export type TargetConfig = Omit<RawTarget, 'account' | 'region'> & { account: AccountConfig };
type RawSource = z.output<typeof sourceSchema>;
type RawCodeCommit = Extract<RawSource, { kind: 'codecommit' }>;
/** The source with a CodeCommit account resolved from the platform. */
export type SourceConfig =
  | (Omit<RawCodeCommit, 'account' | 'region'> & { account: AccountConfig })
  | Exclude<RawSource, { kind: 'codecommit' }>;
export type BackendConfig = PlatformSection['backend'];
export type GuardrailsConfig = PlatformSection['guardrails'];
export type AuditConfig = PlatformSection['audit'];
export type MonitoringConfig = PlatformSection['monitoring'];

/**
 * One pipeline after validation, resolved against its platform: accounts by
 * value, the platform's settings beside the pipeline's own. Everything after
 * the configuration edge works with this (one per pipeline).
 */
export interface PipelineConfig {
  /** The platform's name. */
  platform: string;
  /** The pipeline's name. */
  name: string;
  /** `<platform>-<pipeline>`: prefixes the names of the pipeline's resources. */
  project: string;
  protectStatefulResources: boolean;
  backend: BackendConfig;
  guardrails: GuardrailsConfig;
  audit: AuditConfig;
  monitoring: MonitoringConfig;
  pipeline: {
    /** The tooling account. */
    account: AccountConfig;
    build: z.output<typeof pipelineBuildSchema>;
    approvals: PipelineSection['approvals'];
    executionMode: PipelineSection['executionMode'];
    variables: PipelineSection['variables'];
    onFailure: PipelineSection['onFailure'];
  };
  source: SourceConfig;
  targets: TargetConfig[];
}

/** The whole platform after validation: its settings, served accounts and regions, and its pipelines. */
export interface PlatformConfig {
  name: string;
  tooling: AccountConfig;
  /** Served accounts by name, in the order the platform file lists them. */
  accounts: Array<{ name: string; id: string; role: string }>;
  /** Served regions, the tooling region first, the others sorted. */
  regions: string[];
  protectStatefulResources: boolean;
  backend: BackendConfig;
  guardrails: GuardrailsConfig;
  audit: AuditConfig;
  monitoring: MonitoringConfig;
  pipelines: PipelineConfig[];
}

export type SourceKindName = SourceConfig['kind'];
export type SourceOf<K extends SourceKindName> = Extract<SourceConfig, { kind: K }>;
export type DeployConfig = TargetConfig['deploy'];
export type DeployKindName = DeployConfig['kind'];
export type DeployOf<K extends DeployKindName> = Extract<DeployConfig, { kind: K }>;
/** A target whose deploy block is of one kind. */
export type TargetOf<K extends DeployKindName> = TargetConfig & { deploy: DeployOf<K> };
export type S3BackendConfig = Extract<BackendConfig, { type: 's3' }>;
export type TerraformCloudBackendConfig = Extract<BackendConfig, { type: 'terraform-cloud' }>;
