import type { TerraformJson } from './synthesized';

/** One statement of an IAM policy in AWS's JSON grammar. */
export interface PolicyStatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Principal?: '*' | Record<string, string[]>;
  NotPrincipal?: '*' | Record<string, string[]>;
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyJson {
  Version: string;
  Id?: string;
  Statement: PolicyStatementJson[];
}

const DOCUMENT_ARGUMENTS = new Set([
  '//',
  'provider',
  'depends_on',
  'statement',
  'version',
  'policy_id',
  'source_policy_documents',
  'override_policy_documents',
]);
const STATEMENT_ARGUMENTS = new Set([
  'sid',
  'effect',
  'actions',
  'not_actions',
  'resources',
  'not_resources',
  'principals',
  'not_principals',
  'condition',
]);

/**
 * Renders an `aws_iam_policy_document` data source the way the AWS provider
 * does: source documents first, then this document's statements, then the
 * override documents, a later statement replacing an earlier one of the same
 * Sid. Arguments it does not know fail rather than being dropped.
 */
export function renderPolicyDocument(
  body: TerraformJson,
  resolve: (text: string) => string,
  parse: (json: string) => PolicyJson,
): PolicyJson {
  for (const key of Object.keys(body)) {
    if (!DOCUMENT_ARGUMENTS.has(key))
      throw new Error(`aws_iam_policy_document argument "${key}" is not supported by the verifier`);
  }
  let statements: PolicyStatementJson[] = [];
  for (const source of body.source_policy_documents ?? []) statements.push(...parse(resolve(source)).Statement);
  statements = mergeBySid(
    statements,
    (body.statement ?? []).map((s: TerraformJson) => renderStatement(s, resolve)),
  );
  for (const override of body.override_policy_documents ?? []) {
    statements = mergeBySid(statements, parse(resolve(override)).Statement);
  }
  const policy: PolicyJson = { Version: body.version ?? '2012-10-17', Statement: statements };
  if (body.policy_id) policy.Id = resolve(body.policy_id);
  return policy;
}

function mergeBySid(base: PolicyStatementJson[], later: PolicyStatementJson[]): PolicyStatementJson[] {
  const merged = [...base];
  for (const statement of later) {
    const same = statement.Sid ? merged.findIndex((s) => s.Sid === statement.Sid) : -1;
    if (same >= 0) merged[same] = statement;
    else merged.push(statement);
  }
  return merged;
}

function renderStatement(s: TerraformJson, resolve: (text: string) => string): PolicyStatementJson {
  for (const key of Object.keys(s)) {
    if (!STATEMENT_ARGUMENTS.has(key)) throw new Error(`policy statement argument "${key}" is not supported by the verifier`);
  }
  const list = (values: unknown): string[] | undefined =>
    Array.isArray(values) ? values.map((v) => resolve(String(v))) : undefined;
  const statement: PolicyStatementJson = { Effect: s.effect ?? 'Allow' };
  if (s.sid) statement.Sid = s.sid;
  if (s.actions) statement.Action = list(s.actions);
  if (s.not_actions) statement.NotAction = list(s.not_actions);
  if (s.resources) statement.Resource = list(s.resources);
  if (s.not_resources) statement.NotResource = list(s.not_resources);
  if (s.principals) statement.Principal = renderPrincipals(s.principals, resolve);
  if (s.not_principals) statement.NotPrincipal = renderPrincipals(s.not_principals, resolve);
  if (s.condition) {
    const conditions: Record<string, Record<string, string[]>> = {};
    for (const c of s.condition as TerraformJson[]) {
      const byKey = (conditions[c.test] ??= {});
      const variable = resolve(c.variable);
      if (byKey[variable]) throw new Error(`statement ${s.sid ?? ''} tests ${variable} with ${c.test} twice`);
      byKey[variable] = list(c.values) ?? [];
    }
    statement.Condition = conditions;
  }
  return statement;
}

function renderPrincipals(blocks: TerraformJson[], resolve: (text: string) => string): '*' | Record<string, string[]> {
  if (blocks.some((b) => b.type === '*')) {
    if (blocks.length !== 1 || blocks[0].identifiers.join() !== '*')
      throw new Error('principal type "*" must stand alone with identifier "*"');
    return '*';
  }
  const principals: Record<string, string[]> = {};
  for (const block of blocks) (principals[block.type] ??= []).push(...block.identifiers.map((i: string) => resolve(i)));
  return principals;
}
