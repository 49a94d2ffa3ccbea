import { deployKindOf, isDeployKind } from '../../deploy-kinds';
import { emailSubscriptionId } from '../../modules/approval-topic';
import { sourceKindOf } from '../../source-kinds';
import { Naming } from '../naming';
import { policyLimitViolations, targetPolicyProblems } from '../policy-limits';
import { RULES_PER_CONDITION_MAX } from '../stage-gates';
import { limitViolations, planStages } from '../stage-plan';
import { secretAndApproverProblems } from './audit-rules';
import { Token } from 'cdktf';
import { ACTION_CONFIGURATION_VALUE_MAX, type Problem } from './problem';
import { accountSchema, type PipelineConfig, type SourceConfig, sourceSchema, type TargetConfig, targetSchema } from './schema';

export type { Problem } from './problem';

const IAM_ROLE_NAME_MAX = 64;
const ACCOUNT_ID = /^\d{12}$/;
const S3_BUCKET_NAME_MAX = 63;
/** EventBridge rule names: 1-64 characters (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html). */
const EVENT_RULE_NAME_MAX = 64;

/**
 * Rules that span the fields of one pipeline. They read a lenient document
 * (`load.ts` assembles it from the pipeline and its platform: `project` is
 * `<platform>-<pipeline>`, `pipeline.account` the tooling account, accounts
 * resolved where they resolve) so that they can report alongside schema
 * problems in the same run: a rule whose inputs are missing or malformed is
 * skipped, because the schema already reports them. Paths are in that
 * document's terms; `load.ts` maps them onto the pipeline's own fields.
 */
export function crossFieldProblems(raw: unknown): Problem[] {
  const doc = record(raw);
  const problems: Problem[] = [];
  const pipeline = record(doc.pipeline);
  const pipelineAccount = record(pipeline.account);
  const source = record(doc.source);
  const targets = list(doc.targets).map(record);

  // Rules of the source kind, once the source and the pipeline account are valid on their own.
  const parsedSource = sourceSchema.safeParse(unresolved(source));
  const validSource = parsedSource.success ? resolved<SourceConfig>(parsedSource.data, source.account) : undefined;
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
  problems.push(...stageGateProblems(targets));

  // CodePipeline cannot roll a stage back while several runs are in it.
  if (pipeline.executionMode === 'PARALLEL' && (record(pipeline.onFailure).deploy ?? 'rollback') === 'rollback') {
    problems.push({
      path: 'pipeline.onFailure.deploy',
      message: 'stage rollback is not available in PARALLEL execution mode; set onFailure.deploy to fail',
    });
  }
  problems.push(...undeclaredVariables(doc));
  problems.push(...secretAndApproverProblems(doc));
  problems.push(
    ...duplicates(
      list(pipeline.variables).map((v) => text(record(v).name)),
      (i) => `pipeline.variables[${i}].name`,
      'pipeline variable name',
    ),
  );

  // Addresses that differ only in case or punctuation would share one subscription resource.
  problems.push(...emailCollisions(list(record(pipeline.approvals).emails), (i) => `pipeline.approvals.emails[${i}]`));

  // Rules of each deploy kind, for every target whose own fields are valid.
  targets.forEach((raw, i) => {
    const parsed = targetSchema.safeParse(unresolved(raw));
    const target = parsed.success ? resolved<TargetConfig>(parsed.data, raw.account) : undefined;
    if (!target) return;
    for (const problem of [...deployKindOf(target).problems(target), ...actionValueProblems(target), ...targetPolicyProblems(target)]) {
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
    // The pipeline's EventBridge rules, where it has them.
    const sourceKind = text(record(doc.source).kind);
    const rules = [
      ...(sourceKind !== undefined && sourceKind !== 'connection' ? [naming.startPipelineRule] : []),
      ...(sourceKind === 'codecommit' ? [naming.forwardSourceChangesRule] : []),
      ...(record(record(doc.monitoring).notifications).enabled !== false ? [naming.pipelineFailedRule] : []),
    ];
    for (const rule of rules.filter((r) => r.length > EVENT_RULE_NAME_MAX)) {
      problems.push({
        path: 'project',
        message: `gives the EventBridge rule name "${rule}" (${rule.length} characters); EventBridge allows ${EVENT_RULE_NAME_MAX}`,
      });
    }
    const buckets: Array<{ name: string; path: string }> = [
      { name: naming.artifactBucket, path: 'project' },
      ...naming.extraRegions.map((region) => ({ name: naming.artifactBucketIn(region), path: 'project' })),
    ];
    if (config.source.kind === 's3' && (config.source.create || config.source.bucketName)) {
      const explicit = config.source.bucketName !== undefined;
      buckets.push({ name: naming.sourceBucket(config.source), path: explicit ? 'source.bucketName' : 'project' });
    }
    config.targets.forEach((target, position) => {
      const i = (target as { index?: number }).index ?? position;
      if (target.deploy.kind !== 's3') return;
      const explicit = target.deploy.bucketName !== undefined;
      buckets.push({
        name: naming.deployBucket({ ...target, deploy: target.deploy }),
        path: explicit ? `targets[${i}].deploy.bucketName` : `targets[${i}].name`,
      });
    });
    // The shared log buckets accept the logs of buckets named <platform>-*; a name given here must keep that prefix.
    if (record(record(doc.monitoring).accessLogs).enabled !== false) {
      // A name the schema refuses is reported as such.
      const named = buckets.filter((b) => b.path !== 'project' && /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(b.name));
      for (const bucket of named.filter((b) => !b.name.startsWith(`${config.platform}-`))) {
        problems.push({
          path: bucket.path,
          message: `must start with "${config.platform}-": the platform's access-log buckets take logs only from buckets named <platform>-*`,
        });
      }
    }
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
  return problems;
}

/**
 * Rules of the platform's audit section, on the raw platform section: alerts
 * need a trail, and alert roles live in the tooling account. Paths are
 * relative to `platform`.
 */
export function auditProblems(doc: Record<string, unknown>, prefix = ''): Problem[] {
  const problems: Problem[] = [];
  const audit = record(doc.audit);
  const alerts = record(audit.alerts);
  const alertsOn = alerts.enabled !== false;
  const trailOn = record(audit.trail).enabled !== false;
  if (alertsOn && !trailOn && audit.existingTrail !== true) {
    problems.push({
      path: `${prefix}audit.alerts.enabled`,
      message:
        'alerts need a trail that records the management events of the tooling account: keep audit.trail.enabled, ' +
        'or set audit.existingTrail: true when an organization trail does',
    });
  }
  const pipelineAccountId = text(record(doc.tooling).id);
  for (const field of ['pipelineAdminRoleArns', 'approverRoleArns']) {
    list(alerts[field]).forEach((arn, i) => {
      const roleAccount = /^arn:aws:iam::(\d{12}):role\//.exec(text(arn) ?? '')?.[1];
      if (roleAccount && pipelineAccountId && ACCOUNT_ID.test(pipelineAccountId) && roleAccount !== pipelineAccountId) {
        problems.push({
          path: `${prefix}audit.alerts.${field}[${i}]`,
          message: `role is in account ${roleAccount}; only roles of the tooling account (${pipelineAccountId}) can change or approve its pipeline`,
        });
      }
    });
  }
  for (const [section, path] of [
    [alerts, `${prefix}audit.alerts.emails`],
    [record(record(doc.monitoring).notifications), `${prefix}monitoring.notifications.emails`],
  ] as const) {
    problems.push(...emailCollisions(list(section.emails), (i) => `${path}[${i}]`));
  }
  return problems;
}

/** The name the pipeline gives the build output artifact (stacks/pipeline-stack.ts); part of file references such as TemplatePath. */
const BUILD_ARTIFACT = 'build_output';

/**
 * Every configuration value of the target's actions, as the pipeline stack
 * builds them, must fit CodePipeline's per-value limit. Values the stacks
 * fill in (role ARNs from outputs) have a fixed size; JSON values built with
 * `Fn.jsonencode` are measured by the kind itself (`fitsActionConfiguration`).
 */
function actionValueProblems(target: TargetConfig): Problem[] {
  const kind = deployKindOf(target);
  return kind.steps(target.deploy).flatMap((step) => {
    const { configuration } = kind.action({
      target,
      step,
      output: () => '',
      buildArtifact: BUILD_ARTIFACT,
      sourceRevision: { type: 'COMMIT_ID', value: '#{SourceVariables.CommitId}' },
    });
    return Object.entries(configuration ?? {}).flatMap(([name, value]) =>
      typeof value === 'string' && !Token.isUnresolved(value) && value.length > ACTION_CONFIGURATION_VALUE_MAX
        ? [
            {
              path: fieldOf(target.deploy, value),
              message:
                `gives the ${step} action's ${name} ${value.length} characters; ` +
                `CodePipeline allows ${ACTION_CONFIGURATION_VALUE_MAX} per action configuration value`,
            },
          ]
        : [],
    );
  });
}

/** The deploy field whose text a configuration value carries (the longest such), else `deploy`. */
function fieldOf(deploy: Record<string, unknown>, value: string): string {
  const fields = Object.entries(deploy).filter(([, v]) => typeof v === 'string' && v.length > 0 && value.includes(v as string));
  fields.sort((a, b) => (b[1] as string).length - (a[1] as string).length);
  return fields.length > 0 ? `deploy.${fields[0][0]}` : 'deploy';
}

/** `#{variables.X}` in target settings must name a declared pipeline variable, or the run fails when it gets there. */
function undeclaredVariables(doc: Record<string, unknown>): Problem[] {
  const declared = new Set(list(record(doc.pipeline).variables).map((v) => text(record(v).name)));
  return list(doc.targets).flatMap((target, i) =>
    [...JSON.stringify(target ?? null).matchAll(/#\{variables\.([^}]*)\}/g)]
      .map((match) => match[1])
      .filter((name, j, all) => !declared.has(name) && all.indexOf(name) === j)
      .map((name) => ({ path: `targets[${i}]`, message: `uses #{variables.${name}}, but variables declares no ${name}` })),
  );
}

/**
 * The stage gates of one deploy stage share two conditions of at most 5 rules
 * each (lib/stage-gates.ts): the alarms of its targets, and their deployment
 * windows. Counted per wave, reported at the target that goes over.
 */
function stageGateProblems(targets: Record<string, unknown>[]): Problem[] {
  const problems: Problem[] = [];
  let alarms = 0;
  let windows = 0;
  targets.forEach((target, i) => {
    const wave = text(target.wave);
    if (i === 0 || wave === undefined || text(targets[i - 1].wave) !== wave) {
      alarms = 0;
      windows = 0;
    }
    alarms += list(record(target.alarms).names).length;
    if (target.deploymentWindow !== undefined) windows += 1;
    const where = wave === undefined ? `the stage of target ${text(target.name) ?? i}` : `the stage of wave "${wave}"`;
    if (alarms > RULES_PER_CONDITION_MAX && list(record(target.alarms).names).length > 0) {
      problems.push({
        path: `targets[${i}].alarms.names`,
        message: `${where} would watch ${alarms} alarms; a CodePipeline condition holds at most ${RULES_PER_CONDITION_MAX} rules (one per alarm)`,
      });
    }
    if (windows > RULES_PER_CONDITION_MAX && target.deploymentWindow !== undefined) {
      problems.push({
        path: `targets[${i}].deploymentWindow`,
        message: `${where} would check ${windows} deployment windows; a CodePipeline condition holds at most ${RULES_PER_CONDITION_MAX} rules`,
      });
    }
  });
  return problems;
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

/**
 * Each address is a subscription resource named after it (emailSubscriptionId):
 * addresses that differ only in case or punctuation (a.b@x, a-b@x) would share one.
 */
function emailCollisions(emails: unknown[], pathOf: (i: number) => string): Problem[] {
  const first = new Map<string, number>();
  const problems: Problem[] = [];
  emails.forEach((email, i) => {
    const address = text(email);
    if (address === undefined) return;
    const id = emailSubscriptionId(address);
    const seen = first.get(id);
    if (seen === undefined) first.set(id, i);
    else if (text(emails[seen])!.toLowerCase() === address.toLowerCase()) {
      problems.push({ path: pathOf(i), message: `duplicate email address "${address.toLowerCase()}" (first used at ${pathOf(seen)})` });
    } else {
      problems.push({
        path: pathOf(i),
        message: `"${address}" and "${text(emails[seen])}" (${pathOf(seen)}) give the same e-mail subscription id ${id}; list one of them`,
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
  const platform = text(doc.platform);
  const pipelineAccount = record(record(doc.pipeline).account);
  const id = text(pipelineAccount.id);
  const region = text(pipelineAccount.region);
  if (!project || !platform || !id || !region) return undefined;
  // Targets whose account does not resolve are left out; each keeps its index in the document for paths.
  const lenientTargets = targets.flatMap((t, index) => {
    const account = record(t.account);
    const deploy = record(t.deploy);
    const name = text(t.name);
    if (!name || !text(account.id) || !text(account.region)) return [];
    // An unknown kind is the schema's to report; here it counts as one action, as most kinds are.
    const lenientDeploy = isDeployKind(deploy.kind) ? { ...deploy, bucketName: text(deploy.bucketName) } : { kind: 's3' };
    return [{ name, account, wave: text(t.wave), approval: t.approval ?? false, deploy: lenientDeploy, index }];
  });
  const config = {
    project,
    platform,
    name: text(doc.name),
    pipeline: { account: pipelineAccount },
    // Names that derive from the source only when the schema accepts it.
    source: source ?? {},
    targets: lenientTargets,
  } as unknown as PipelineConfig;
  return { naming: new Naming(config), config };
}

/** A target or source as its file gives it: the account by name (the lenient document carries it resolved). */
function unresolved(value: Record<string, unknown>): Record<string, unknown> {
  const account = value.account;
  return account !== null && typeof account === 'object' ? { ...value, account: record(account).name } : value;
}

/** The parsed value with its resolved account, when it names one and it resolved (a source may name none). */
function resolved<T>(parsed: object, account: unknown): T | undefined {
  if (!('account' in parsed)) return parsed as T;
  const { region: _region, ...rest } = parsed as Record<string, unknown>;
  return text(record(account).id) ? ({ ...rest, account } as T) : undefined;
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
