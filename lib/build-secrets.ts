import { PARAMETER_ARN, type PipelineConfig, SECRET_ARN } from './config/schema';

/**
 * Build secrets and parameters (seed 000): the CodeBuild environment
 * variables that name them, the exact ARNs the build role may read, and the
 * CloudTrail filter that counts their reads. Only references reach Terraform:
 * CodeBuild resolves the values when a build starts, so no value is ever in
 * the synthesized stacks or the state.
 */

type Build = PipelineConfig['pipeline']['build'];
type BuildSecret = Build['secrets'][number];
type BuildParameter = Build['parameters'][number];
type Account = { id: string; region: string };

/** The secret's name: the complete ARN without its prefix and its `-` + 6-character suffix. */
export function secretName(secret: BuildSecret): string {
  if (secret.secretName) return secret.secretName;
  return SECRET_ARN.exec(secret.secretArn!)![3];
}

/**
 * What the build role's policy names: the complete ARN, or, for a secret given
 * by name, `<name>-??????` — Secrets Manager appends a hyphen and six random
 * characters to every secret's ARN, and `??????` matches exactly those six
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html#auth-and-access_examples_wildcard).
 * A bare `<name>*` would also match `<name>-other`, another secret.
 */
export function secretResourceArn(secret: BuildSecret, account: Account): string {
  return secret.secretArn ?? `arn:aws:secretsmanager:${account.region}:${account.id}:secret:${secret.secretName}-??????`;
}

/**
 * The SECRETS_MANAGER variable's value, `secret-id:json-key:version-stage:version-id`
 * with empty parts left empty (https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager).
 */
export function secretVariableValue(secret: BuildSecret): string {
  const id = secret.secretArn ?? secret.secretName!;
  const parts = [id, secret.jsonKey ?? '', secret.versionStage ?? ''];
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(':');
}

/** A parameter's name: hierarchical names start with "/", which the ARN drops. */
export function parameterName(parameter: BuildParameter): string {
  const arn = PARAMETER_ARN.exec(parameter.parameter);
  if (!arn) return parameter.parameter;
  return arn[3].includes('/') ? `/${arn[3]}` : arn[3];
}

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading "/">` (what ssm:GetParameters is authorized on). */
export function parameterArn(parameter: BuildParameter, account: Account): string {
  if (PARAMETER_ARN.test(parameter.parameter)) return parameter.parameter;
  return `arn:aws:ssm:${account.region}:${account.id}:parameter/${parameter.parameter.replace(/^\//, '')}`;
}

/** Region and account an ARN names (fields 4 and 5). */
export function arnRegionAndAccount(arn: string): { region: string; account: string } {
  const parts = arn.split(':');
  return { region: parts[3], account: parts[4] };
}

/** The CodeBuild environment variables of the build's secrets and parameters, sorted by variable name. */
export function buildEnvironmentVariables(build: Build): Array<{ name: string; type: string; value: string }> {
  return [
    ...build.secrets.map((s) => ({ name: s.variable, type: 'SECRETS_MANAGER', value: secretVariableValue(s) })),
    ...build.parameters.map((p) => ({ name: p.variable, type: 'PARAMETER_STORE', value: parameterName(p) })),
  ].sort((a, b) => a.name.localeCompare(b.name));
}

/** The values of `requestParameters.secretId` that name a secret: its name, its partial ARN, its complete ARN. */
function secretIdValues(secret: BuildSecret, account: Account): string[] {
  const partial = `arn:aws:secretsmanager:${account.region}:${account.id}:secret:${secretName(secret)}`;
  // Given by name, the suffix is unknown: metric filter patterns have "*" but no single-character wildcard.
  return [secretName(secret), partial, secret.secretArn ?? `${partial}-*`];
}

/** CloudWatch Logs allows filter patterns of at most 1024 characters. */
export const FILTER_PATTERN_MAX = 1024;

/**
 * The metric filter pattern of GetSecretValue calls on any of the pipeline's
 * secrets, and with `exceptRoleArn` only calls by anyone but that role
 * (`userIdentity.arn` of a role session is `arn:aws:sts::<account>:assumed-role/<role>/<session>`).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function secretReadsFilterPattern(build: Build, account: Account, exceptRole?: string): string {
  const ids = build.secrets.flatMap((s) => secretIdValues(s, account));
  const which = ids.map((id) => `($.requestParameters.secretId = "${id}")`).join(' || ');
  const who = exceptRole ? ` && ($.userIdentity.arn != "arn:aws:sts::${account.id}:assumed-role/${exceptRole}/*")` : '';
  return `{ ($.eventSource = "secretsmanager.amazonaws.com") && ($.eventName = "GetSecretValue") && (${which})${who} }`;
}
