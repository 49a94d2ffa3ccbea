import { deployKindOf, isDeployKind } from '../../deploy-kinds';
import { emailSubscriptionId } from '../../modules/approval-topic';
import { sourceKindOf } from '../../source-kinds';
import { Naming } from '../naming';
import { policyLimitViolations } from '../policy-limits';
import { limitViolations, planStages } from '../stage-plan';
import type { Problem } from './problem';
import { accountSchema, type PipelineConfig, type SourceConfig, sourceSchema, targetSchema } from './schema';

export type { Problem } from './problem';

const IAM_ROLE_NAME_MAX = 64;
const ACCOUNT_ID = /^\d{12}$/;
const S3_BUCKET_NAME_MAX = 63;

/**
 * Rules that span fields. They read the raw document leniently so that they
 * can report alongside schema problems in the same run: a rule whose inputs
 * are missing or malformed is skipped, because the schema already reports them.
 */
export function crossFieldProblems(raw: unknown): Problem[] {
  const doc = record(raw);
  const problems: Problem[] = [];
  const pipeline = record(doc.pipeline);
  const pipelineAccount = record(pipeline.account);
  const source = record(doc.source);
  const targets = list(doc.targets).map(record);

  // Each role must live in the account it is declared for, or allowed_account_ids rejects every plan.
  const accounts: Array<[string, Record<string, unknown>]> = [
    ['pipeline.account', pipelineAccount],
    ...(source.kind === 'codecommit' ? [['source.account', record(source.account)] as [string, Record<string, unknown>]] : []),
    ...targets.map((t, i): [string, Record<string, unknown>] => [`targets[${i}].account`, record(t.account)]),
  ];
  for (const [path, account] of accounts) {
    const roleAccount = /^arn:aws:iam::(\d{12}):role\//.exec(text(account.role) ?? '')?.[1];
    const id = text(account.id);
    if (roleAccount && id && ACCOUNT_ID.test(id) && roleAccount !== id) {
      problems.push({ path: `${path}.role`, message: `role is in account ${roleAccount}, but ${path}.id is ${id}` });
    }
  }

  // Rules of the source kind, once the source and the pipeline account are valid on their own.
  const parsedSource = sourceSchema.safeParse(doc.source);
  const validSource = parsedSource.success ? parsedSource.data : undefined;
  const parsedAccount = accountSchema.safeParse(pipelineAccount);
  const project = text(doc.project);
  if (validSource && parsedAccount.success && project) {
    const context = { project, pipelineAccount: parsedAccount.data };
    for (const problem of sourceKindOf(validSource).problems(validSource, context)) {
      problems.push({ path: `source.${problem.path}`, message: problem.message });
    }
  }

  problems.push(...duplicates(targets.map((t) => text(t.name)), (i) => `targets[${i}].name`, 'target name'));
  problems.push(...waveProblems(targets));

  // CodePipeline cannot roll a stage back while several runs are in it.
  if (pipeline.executionMode === 'PARALLEL' && (record(pipeline.onFailure).deploy ?? 'rollback') === 'rollback') {
    problems.push({
      path: 'pipeline.onFailure.deploy',
      message: 'stage rollback is not available in PARALLEL execution mode; set pipeline.onFailure.deploy to fail',
    });
  }
  problems.push(...undeclaredVariables(doc));

  // Addresses that differ only in case or punctuation would share one subscription resource.
  const subscriptions = list(record(pipeline.approvals).emails).map((e) => mapText(e, emailSubscriptionId));
  problems.push(...duplicates(subscriptions, (i) => `pipeline.approvals.emails[${i}]`, 'e-mail subscription'));

  // Rules of each deploy kind, for every target whose own fields are valid.
  targets.forEach((raw, i) => {
    const target = targetSchema.safeParse(raw);
    if (!target.success) return;
    for (const problem of deployKindOf(target.data).problems(target.data)) {
      problems.push({ path: `targets[${i}].${problem.path}`, message: problem.message });
    }
  });

  const names = lenientNaming(doc, targets, validSource);
  if (names) {
    const { naming, config } = names;
    for (const role of naming.allRoleNames()) {
      if (role.name.length > IAM_ROLE_NAME_MAX) {
        problems.push({
          path: role.from,
          message: `gives the IAM role name "${role.name}" (${role.name.length} characters); IAM allows ${IAM_ROLE_NAME_MAX}`,
        });
      }
    }
    const buckets: Array<{ name: string; path: string }> = [
      { name: naming.artifactBucket, path: 'project' },
      ...naming.extraRegions.map((region) => ({ name: naming.artifactBucketIn(region), path: 'project' })),
    ];
    if (config.source.kind === 's3' && (config.source.create || config.source.bucketName)) {
      const explicit = config.source.bucketName !== undefined;
      buckets.push({ name: naming.sourceBucket(config.source), path: explicit ? 'source.bucketName' : 'project' });
    }
    config.targets.forEach((target, i) => {
      if (target.deploy.kind !== 's3') return;
      const explicit = target.deploy.bucketName !== undefined;
      buckets.push({
        name: naming.deployBucket({ ...target, deploy: target.deploy }),
        path: explicit ? `targets[${i}].deploy.bucketName` : `targets[${i}].name`,
      });
    });
    buckets.push(...auditBuckets(doc, naming, config));
    for (const bucket of buckets) {
      if (bucket.name.length > S3_BUCKET_NAME_MAX) {
        problems.push({
          path: bucket.path,
          message: `gives the S3 bucket name "${bucket.name}" (${bucket.name.length} characters); S3 allows ${S3_BUCKET_NAME_MAX}`,
        });
      }
    }
    problems.push(
      ...duplicates(
        buckets.map((b) => b.name),
        (i) => buckets[i].path,
        'S3 bucket name',
      ),
    );
    for (const message of [...limitViolations(planStages(config)), ...policyLimitViolations(config, naming)]) {
      problems.push({ path: 'targets', message });
    }
  }
  problems.push(...auditProblems(doc));
  return problems;
}

/** Buckets the audit and monitoring sections add, when they are on (their defaults). */
function auditBuckets(doc: Record<string, unknown>, naming: Naming, config: PipelineConfig): Array<{ name: string; path: string }> {
  const audit = record(doc.audit);
  const monitoring = record(doc.monitoring);
  const buckets: Array<{ name: string; path: string }> = [];
  if (record(audit.trail).enabled !== false) buckets.push({ name: naming.trailBucket, path: 'project' });
  if (record(monitoring.accessLogs).enabled !== false) {
    buckets.push({ name: naming.accessLogBucket, path: 'project' });
    for (const region of naming.extraRegions) buckets.push({ name: naming.accessLogBucketIn(region), path: 'project' });
    config.targets.forEach((target, i) => buckets.push({ name: naming.targetAccessLogBucket(target), path: `targets[${i}].name` }));
  }
  return buckets;
}

/** Rules of the audit section: alerts need a trail, and alert roles live in the pipeline account. */
function auditProblems(doc: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const audit = record(doc.audit);
  const alerts = record(audit.alerts);
  const alertsOn = alerts.enabled !== false;
  const trailOn = record(audit.trail).enabled !== false;
  if (alertsOn && !trailOn && audit.existingTrail !== true) {
    problems.push({
      path: 'audit.alerts.enabled',
      message:
        'alerts need a trail that records the management events of the pipeline account: keep audit.trail.enabled, ' +
        'or set audit.existingTrail: true when an organization trail does',
    });
  }
  const pipelineAccountId = text(record(record(doc.pipeline).account).id);
  for (const field of ['pipelineAdminRoleArns', 'approverRoleArns']) {
    list(alerts[field]).forEach((arn, i) => {
      const roleAccount = /^arn:aws:iam::(\d{12}):role\//.exec(text(arn) ?? '')?.[1];
      if (roleAccount && pipelineAccountId && ACCOUNT_ID.test(pipelineAccountId) && roleAccount !== pipelineAccountId) {
        problems.push({
          path: `audit.alerts.${field}[${i}]`,
          message: `role is in account ${roleAccount}; only roles of the pipeline account (${pipelineAccountId}) can change or approve its pipeline`,
        });
      }
    });
  }
  for (const [section, path] of [
    [alerts, 'audit.alerts.emails'],
    [record(record(doc.monitoring).notifications), 'monitoring.notifications.emails'],
  ] as const) {
    const emails = list(section.emails).map((e) => text(e)?.toLowerCase());
    problems.push(...duplicates(emails, (i) => `${path}[${i}]`, 'email address'));
  }
  return problems;
}

/** `#{variables.X}` in target settings must name a declared pipeline variable, or the run fails when it gets there. */
function undeclaredVariables(doc: Record<string, unknown>): Problem[] {
  const declared = new Set(list(record(doc.pipeline).variables).map((v) => text(record(v).name)));
  return list(doc.targets).flatMap((target, i) =>
    [...JSON.stringify(target ?? null).matchAll(/#\{variables\.([^}]*)\}/g)]
      .map((match) => match[1])
      .filter((name, j, all) => !declared.has(name) && all.indexOf(name) === j)
      .map((name) => ({ path: `targets[${i}]`, message: `uses #{variables.${name}}, but pipeline.variables declares no ${name}` })),
  );
}

/** Targets of a wave must be listed together, and a wave may not share its stage names with a lone target. */
function waveProblems(targets: Record<string, unknown>[]): Problem[] {
  const problems: Problem[] = [];
  const waves = targets.map((t) => text(t.wave));
  const seen = new Map<string, number>();
  waves.forEach((wave, i) => {
    if (wave === undefined) return;
    const first = seen.get(wave);
    if (first !== undefined && waves[i - 1] !== wave) {
      const outsider = waves.findIndex((w, j) => j > first && j < i && w !== wave);
      problems.push({
        path: `targets[${i}].wave`,
        message:
          `targets of wave "${wave}" must be listed together: targets[${first}] and targets[${i}] are in it, ` +
          `targets[${outsider}] between them is not`,
      });
    }
    if (first === undefined) seen.set(wave, i);
  });
  targets.forEach((t, i) => {
    const name = text(t.name);
    const wave = name === undefined || waves[i] !== undefined ? undefined : seen.get(name);
    if (wave !== undefined) {
      problems.push({
        path: `targets[${i}].name`,
        message: `is also the name of wave "${name}" (targets[${wave}].wave): both would need stage Deploy-${name}`,
      });
    }
  });
  return problems;
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

/**
 * A Naming over the parts of the document that derived names need, or
 * undefined when those parts are not there to derive from.
 */
function lenientNaming(
  doc: Record<string, unknown>,
  targets: Record<string, unknown>[],
  source: SourceConfig | undefined,
): { naming: Naming; config: PipelineConfig } | undefined {
  const project = text(doc.project);
  const pipelineAccount = record(record(doc.pipeline).account);
  const id = text(pipelineAccount.id);
  const region = text(pipelineAccount.region);
  if (!project || !id || !region) return undefined;
  const lenientTargets = targets.flatMap((t) => {
    const account = record(t.account);
    const deploy = record(t.deploy);
    const name = text(t.name);
    if (!name || !text(account.id) || !text(account.region)) return [];
    // An unknown kind is the schema's to report; here it counts as one action, as most kinds are.
    const lenientDeploy = isDeployKind(deploy.kind) ? { ...deploy, bucketName: text(deploy.bucketName) } : { kind: 's3' };
    return [{ name, account, wave: text(t.wave), approval: t.approval ?? false, deploy: lenientDeploy }];
  });
  const config = {
    project,
    pipeline: { account: pipelineAccount },
    // Names that derive from the source only when the schema accepts it.
    source: source ?? {},
    targets: lenientTargets,
  } as unknown as PipelineConfig;
  return { naming: new Naming(config), config };
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

function mapText<T>(value: unknown, f: (text: string) => T): T | undefined {
  const t = text(value);
  return t === undefined ? undefined : f(t);
}
