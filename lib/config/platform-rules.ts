import { PlatformNaming } from '../naming';
import { existingTrailProblems } from './audit-rules';
import { keyPolicyViolation } from '../policy-limits';
import type { Problem } from './problem';
import { servedRegions } from './resolve';
import { AWS_REGIONS } from './schema';
import { auditProblems, crossFieldProblems } from './rules';

/** Where a problem is: the file of a directory configuration (if any) and the field path in it. */
export interface SourceOfProblem {
  file?: string;
  path: string;
}

const ACCOUNT_ID = /^\d{12}$/;
/** Terraform Cloud workspace names: at most 90 characters (https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create). */
const WORKSPACE_NAME_MAX = 90;
const S3_BUCKET_NAME_MAX = 63;

/**
 * Rules across the platform and its pipelines, on the raw single-file
 * document (`platform`, `pipelines`), read leniently like `crossFieldProblems`:
 * the served accounts and regions, the references of every pipeline to them,
 * unique pipeline and stack names, and every pipeline's own cross-field
 * rules, with paths such as `pipelines[1].targets[0].account`.
 */
export function platformProblems(raw: unknown): Problem[] {
  const doc = record(raw);
  const platform = record(doc.platform);
  const tooling = record(platform.tooling);
  const accounts = list(platform.accounts).map(record);
  const pipelines = list(doc.pipelines).map(record);
  const problems: Problem[] = [...prototypeKeys(raw, '')];
  const name = text(platform.name);
  const toolingRegion = text(tooling.region);

  // Each role must live in the account it is declared for, or allowed_account_ids rejects every plan.
  const declared: Array<[string, Record<string, unknown>]> = [
    ['platform.tooling', tooling],
    ...accounts.map((a, i): [string, Record<string, unknown>] => [`platform.accounts[${i}]`, a]),
  ];
  for (const [path, account] of declared) {
    const roleAccount = /^arn:aws:iam::(\d{12}):role\//.exec(text(account.role) ?? '')?.[1];
    const id = text(account.id);
    if (roleAccount && id && ACCOUNT_ID.test(id) && roleAccount !== id) {
      problems.push({ path: `${path}.role`, message: `role is in account ${roleAccount}, but ${path}.id is ${id}` });
    }
  }
  problems.push(...duplicates(accounts.map((a) => text(a.name)), (i) => `platform.accounts[${i}].name`, 'account name'));
  problems.push(...duplicates(accounts.map((a) => text(a.id)), (i) => `platform.accounts[${i}].id`, 'account id'));
  problems.push(...auditProblems(platform, 'platform.'));
  problems.push(...existingTrailProblems(platform, 'platform.'));
  const accountIds = accounts.flatMap((a) => text(a.id) ?? []);
  const keyPolicy = name ? keyPolicyViolation(name, accountIds) : undefined;
  if (keyPolicy) problems.push({ path: 'platform.accounts', message: keyPolicy });

  const regions = toolingRegion ? servedRegions({ region: toolingRegion }, list(platform.regions).flatMap((r) => text(r) ?? [])) : [];
  const byName = new Map(accounts.flatMap((a) => (text(a.name) ? [[text(a.name)!, a] as const] : [])));
  const known = [...byName.keys()].join(', ') || 'none';

  // The platform's own buckets: one per served region and account.
  const naming = name && text(tooling.id) && toolingRegion ? new PlatformNaming({ name, tooling: { id: text(tooling.id)!, region: toolingRegion } }) : undefined;
  if (naming) {
    const buckets = [naming.trailBucket, ...regions.map((r) => naming.accessLogBucketIn(r))];
    for (const account of accounts) {
      const id = text(account.id);
      if (id) buckets.push(...regions.map((r) => naming.accountAccessLogBucket(id, r)));
    }
    const longest = buckets.reduce((a, b) => (b.length > a.length ? b : a), '');
    if (longest.length > S3_BUCKET_NAME_MAX) {
      problems.push({
        path: 'platform.name',
        message: `gives the S3 bucket name "${longest}" (${longest.length} characters); S3 allows ${S3_BUCKET_NAME_MAX}`,
      });
    }
  }

  problems.push(...duplicates(pipelines.map((p) => text(p.name)), (i) => `pipelines[${i}].name`, 'pipeline name'));

  /** The account a pipeline names, in a region, or a problem at the field that names it. */
  const resolve = (at: string, accountName: unknown, region: unknown): unknown => {
    const accountText = text(accountName);
    if (accountText === undefined) return accountName;
    const account = byName.get(accountText);
    if (!account) {
      problems.push({ path: `${at}.account`, message: `"${accountText}" is not an account of platform.accounts (${known})` });
      return accountText;
    }
    const inRegion = text(region) ?? toolingRegion;
    // Without a region (the tooling region is missing) rules that need one are skipped; the schema reports it.
    if (inRegion === undefined) return accountText;
    // An unknown region is the schema's to report.
    const awsRegion = (AWS_REGIONS as readonly string[]).includes(text(region) ?? '');
    if (awsRegion && regions.length > 0 && !regions.includes(text(region)!)) {
      problems.push({ path: `${at}.region`, message: `"${text(region)}" is not a region the platform serves (platform.regions: ${regions.join(', ')})` });
    }
    return { id: account.id, region: inRegion, role: account.role, name: accountText };
  };

  pipelines.forEach((pipeline, i) => {
    const at = `pipelines[${i}]`;
    const source = record(pipeline.source);
    const targets = list(pipeline.targets).map(record);
    const lenient = {
      project: name && text(pipeline.name) ? `${name}-${text(pipeline.name)}` : undefined,
      platform: name,
      name: text(pipeline.name),
      pipeline: {
        account: tooling,
        build: pipeline.build,
        approvals: pipeline.approvals,
        executionMode: pipeline.executionMode,
        variables: pipeline.variables,
        onFailure: pipeline.onFailure,
      },
      source: source.kind === 'codecommit' ? { ...source, account: resolve(`${at}.source`, source.account, source.region) } : source,
      targets: targets.map((t, j) => ({ ...t, account: resolve(`${at}.targets[${j}]`, t.account, t.region) })),
      monitoring: platform.monitoring,
    };
    for (const problem of crossFieldProblems(lenient)) {
      const path = pipelinePath(problem.path);
      if (path !== undefined) problems.push({ path: path ? `${at}.${path}` : at, message: problem.message });
    }
  });

  problems.push(...stackNameCollisions(platform, pipelines));
  problems.push(...workspaceNameProblems(platform, pipelines));
  return problems;
}

/**
 * A `__proto__` key is dropped when a map is copied into a plain object (zod
 * records do), so what the file says would silently not reach Terraform.
 */
function prototypeKeys(value: unknown, path: string): Problem[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => prototypeKeys(item, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const at = path ? `${path}.${key}` : key;
    return key === '__proto__'
      ? [{ path: at, message: '"__proto__" cannot be a key: it would be dropped silently' }]
      : prototypeKeys((value as Record<string, unknown>)[key], at);
  });
}

/** With Terraform Cloud, every stack's workspace `<workspacePrefix><platform>-<stack>` must fit Terraform Cloud's limit. */
function workspaceNameProblems(platform: Record<string, unknown>, pipelines: Record<string, unknown>[]): Problem[] {
  const backend = record(platform.backend);
  const name = text(platform.name);
  if (backend.type !== 'terraform-cloud' || !name) return [];
  const prefix = `${text(backend.workspacePrefix) ?? ''}${name}-`;
  return stackNames(platform, pipelines)
    .filter((stack) => prefix.length + stack.name.length > WORKSPACE_NAME_MAX)
    .map((stack) => ({
      path: stack.path,
      message: `gives the Terraform Cloud workspace "${prefix}${stack.name}" (${prefix.length + stack.name.length} characters); Terraform Cloud allows ${WORKSPACE_NAME_MAX}`,
    }));
}

/**
 * A path of the lenient document in the pipeline's own terms, or undefined
 * for what the platform reports itself (the tooling account).
 */
function pipelinePath(path: string): string | undefined {
  if (path === 'project') return 'name';
  if (path.startsWith('pipeline.account')) return undefined;
  if (path.startsWith('pipeline.')) return path.slice('pipeline.'.length);
  const account = /^(source|targets\[\d+\])\.account\.(\w+)/.exec(path);
  if (account) return account[2] === 'region' ? `${account[1]}.region` : `${account[1]}.account`;
  return path;
}

/** Stack names are directories, state files and workspaces: two stacks may never share one. */
function stackNameCollisions(platform: Record<string, unknown>, pipelines: Record<string, unknown>[]): Problem[] {
  const first = new Map<string, string>();
  const problems: Problem[] = [];
  for (const stack of stackNames(platform, pipelines)) {
    const seen = first.get(stack.name);
    if (seen === undefined) first.set(stack.name, stack.path);
    else problems.push({ path: stack.path, message: `gives the stack name "${stack.name}", which ${seen} gives too` });
  }
  return problems;
}

/** Every stack the platform would have, with the field its name comes from. */
function stackNames(platform: Record<string, unknown>, pipelines: Record<string, unknown>[]): Array<{ name: string; path: string }> {
  const stacks: Array<{ name: string; path: string }> = [{ name: 'platform', path: 'platform' }, { name: 'tfc-bootstrap', path: 'platform' }];
  list(platform.accounts)
    .map(record)
    .forEach((a, i) => {
      if (text(a.name)) stacks.push({ name: `account-${text(a.name)}`, path: `platform.accounts[${i}].name` });
    });
  const pipelineNames = new Set<string>();
  pipelines.forEach((pipeline, i) => {
    const name = text(pipeline.name);
    // A repeated pipeline name is reported as such.
    if (!name || pipelineNames.has(name)) return;
    pipelineNames.add(name);
    stacks.push({ name: `${name}-base`, path: `pipelines[${i}].name` }, { name: `${name}-pipeline`, path: `pipelines[${i}].name` });
    if (record(pipeline.source).kind === 'codecommit') stacks.push({ name: `${name}-repository`, path: `pipelines[${i}].name` });
    const targetNames = new Set<string>();
    list(pipeline.targets)
      .map(record)
      .forEach((t, j) => {
        const target = text(t.name);
        // A repeated target name is reported as such.
        if (!target || targetNames.has(target)) return;
        targetNames.add(target);
        stacks.push({ name: `${name}-target-${target}`, path: `pipelines[${i}].targets[${j}].name` });
      });
  });
  return stacks;
}

function duplicates(values: Array<string | undefined>, pathOf: (i: number) => string, what: string): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  values.forEach((value, i) => {
    if (value === undefined) return;
    const seen = first.get(value);
    if (seen === undefined) first.set(value, i);
    else problems.push({ path: pathOf(i), message: `duplicate ${what} "${value}" (first used at ${pathOf(seen)})` });
  });
  return problems;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
