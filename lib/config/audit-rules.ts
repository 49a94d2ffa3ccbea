import { approverRoleArnPattern, overlappingRoles } from '../approver-groups';
import { FILTER_PATTERN_MAX, secretReadsFilterPattern } from '../build-secrets';
import type { Problem } from './problem';
import { PARAMETER_ARN, SECRET_ARN } from './schema';

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\//;
/** CodePipeline action names: 1-100 characters (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html). */
const ACTION_NAME_MAX = 100;
/** IAM managed policy names: 1-128 characters (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html). */
const POLICY_NAME_MAX = 128;

/**
 * Rules of the build secrets and the approver groups of one pipeline, on the
 * lenient document of `crossFieldProblems` (paths in its terms:
 * `pipeline.build.secrets[0].secretArn`, `targets[1].approval.approverGroups[0]`).
 */
export function secretAndApproverProblems(doc: Record<string, unknown>): Problem[] {
  const pipeline = record(doc.pipeline);
  const account = record(pipeline.account);
  const id = text(account.id);
  const region = text(account.region);
  const problems: Problem[] = [];
  if (!id || !ACCOUNT_ID.test(id) || !region) return problems;
  const build = record(pipeline.build);

  // Secrets and parameters of another account or region are refused: reading them would also need the secret's
  // resource policy and the key policy of its customer key in the other account, which this platform cannot see or
  // prove (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples_cross.html), and
  // CodeBuild resolves parameters only of its own account and region unless they are shared.
  const sameAccountAndRegion = (arn: string | undefined, path: string, what: string) => {
    if (!arn) return;
    const [, , , arnRegion, arnAccount] = arn.split(':');
    if (arnAccount !== id || arnRegion !== region) {
      problems.push({
        path,
        message:
          `${what} is in account ${arnAccount}, region ${arnRegion}; a build may read only ${what}s of the tooling account ` +
          `${id} in ${region} (another account's would also need its resource and key policies, which the platform does not manage)`,
      });
    }
  };
  const variables: Array<string | undefined> = [];
  list(build.secrets).forEach((raw, i) => {
    const secret = record(raw);
    const at = `pipeline.build.secrets[${i}]`;
    const arn = text(secret.secretArn);
    if (arn && SECRET_ARN.test(arn)) sameAccountAndRegion(arn, `${at}.secretArn`, 'secret');
    sameAccountAndRegion(text(secret.kmsKeyArn), `${at}.kmsKeyArn`, 'key');
    variables.push(text(secret.variable));
  });
  list(build.parameters).forEach((raw, i) => {
    const parameter = record(raw);
    const at = `pipeline.build.parameters[${i}]`;
    const name = text(parameter.parameter);
    if (name && PARAMETER_ARN.test(name)) sameAccountAndRegion(name, `${at}.parameter`, 'parameter');
    sameAccountAndRegion(text(parameter.kmsKeyArn), `${at}.kmsKeyArn`, 'key');
    variables.push(text(parameter.variable));
  });
  const secretCount = list(build.secrets).length;
  const seen = new Map<string, number>();
  variables.forEach((variable, i) => {
    if (!variable) return;
    const first = seen.get(variable);
    const path = i < secretCount ? `pipeline.build.secrets[${i}].variable` : `pipeline.build.parameters[${i - secretCount}].variable`;
    if (first === undefined) seen.set(variable, i);
    else problems.push({ path, message: `environment variable ${variable} is declared twice` });
  });
  // The read-counting filter names every secret; CloudWatch Logs caps its pattern.
  const secrets = list(build.secrets).map(record);
  const wellFormed = secrets.every((s) => (text(s.secretArn) && SECRET_ARN.test(text(s.secretArn)!)) || (!s.secretArn && text(s.secretName)));
  if (secrets.length > 0 && wellFormed && text(doc.project)) {
    const pattern = secretReadsFilterPattern(
      { secrets: secrets as never, parameters: [] } as never,
      { id, region },
      `${text(doc.project)}-build`,
    );
    if (pattern.length > FILTER_PATTERN_MAX) {
      problems.push({
        path: 'pipeline.build.secrets',
        message: `the metric filter that counts reads of these secrets would be ${pattern.length} characters; CloudWatch Logs allows ${FILTER_PATTERN_MAX}: read fewer secrets (a JSON secret holds several values)`,
      });
    }
  }

  list(doc.targets).forEach((rawTarget, t) => {
    const target = record(rawTarget);
    const approval = record(target.approval);
    const groups = list(approval.approverGroups).map(record);
    const at = `targets[${t}].approval.approverGroups`;
    const names = new Map<string, number>();
    groups.forEach((group, g) => {
      const name = text(group.name);
      if (name) {
        if (names.has(name)) problems.push({ path: `${at}[${g}].name`, message: `approver group ${name} is listed twice` });
        else names.set(name, g);
        const targetName = text(target.name) ?? '';
        const action = `Approve-${targetName}-${name}`;
        if (action.length > ACTION_NAME_MAX) {
          problems.push({ path: `${at}[${g}].name`, message: `gives the approval action name "${action}"; CodePipeline allows ${ACTION_NAME_MAX} characters` });
        }
        const policy = `${text(doc.project) ?? ''}-approve-${targetName}-${name}`;
        if (policy.length > POLICY_NAME_MAX) {
          problems.push({ path: `${at}[${g}].name`, message: `gives the IAM policy name "${policy}"; IAM allows ${POLICY_NAME_MAX} characters` });
        }
      }
      list(group.roles).forEach((role, r) => {
        const roleAccount = ROLE_ARN.exec(text(role) ?? '')?.[1];
        if (roleAccount && roleAccount !== id) {
          problems.push({
            path: `${at}[${g}].roles[${r}]`,
            message: `role is in account ${roleAccount}; approvers answer in the tooling account ${id}, as its roles (CodePipeline authorizes PutApprovalResult by the caller's identity policies there)`,
          });
        }
      });
    });
    // A role in two groups could answer for both: one person would be two approvers.
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const ga = { name: text(groups[a].name) ?? `#${a}`, roles: list(groups[a].roles).flatMap((r) => text(r) ?? []) };
        const gb = { name: text(groups[b].name) ?? `#${b}`, roles: list(groups[b].roles).flatMap((r) => text(r) ?? []) };
        const overlap = overlappingRoles(ga, gb, id);
        if (overlap.length > 0) {
          const [x, y] = overlap[0];
          problems.push({
            path: `${at}[${b}].roles`,
            message:
              `approver groups ${ga.name} and ${gb.name} overlap: a role could match both ${approverRoleArnPattern(x, id)} and ` +
              `${approverRoleArnPattern(y, id)}, and so approve twice; approver groups must be disjoint`,
          });
        }
      }
    }
  });
  return problems;
}

/** The log group of an existing trail is named only for an existing trail, never beside the platform's own. */
export function existingTrailProblems(platform: Record<string, unknown>, prefix = ''): Problem[] {
  const audit = record(platform.audit);
  if (audit.existingTrailLogGroup === undefined) return [];
  if (record(audit.trail).enabled !== false || audit.existingTrail !== true) {
    return [
      {
        path: `${prefix}audit.existingTrailLogGroup`,
        message: 'names the log group of an existing trail: set it only with audit.existingTrail: true and audit.trail.enabled: false',
      },
    ];
  }
  return [];
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
