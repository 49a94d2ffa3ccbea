import type { PipelineConfig, PlatformConfig } from '../config/schema';
import { Naming, terraformCloudRunRoles } from '../naming';
import { inputProblems } from './input-checks';
import { crossPipelinePaths, type PipelineProof } from './isolation';
import { AccessModel } from './model';
import { type AccessPath, forbiddenPaths, type Inventory, requiredPaths, topologyAccounts } from './paths';
import { evaluate, type Outcome } from './simulate';
import type { SynthesizedApp } from './synthesized';

export interface Verification {
  outcomes: Outcome[];
  /** Problems with the inputs (policies, topology, coverage); each fails the run. */
  problems: string[];
  ok: boolean;
}

/**
 * Proves, offline, that the synthesized stacks allow every request each
 * pipeline of the platform needs and deny the requests it must never allow.
 * What the pipelines share (the platform's audit paths) is proven once.
 */
export async function verifyAccess(app: SynthesizedApp, platform: PlatformConfig): Promise<Verification> {
  let model: AccessModel;
  try {
    model = new AccessModel(app);
  } catch (error) {
    return { outcomes: [], problems: [(error as Error).message], ok: false };
  }
  const topology = topologyProblems(model, platform.pipelines);
  if (topology.length > 0) return { outcomes: [], problems: topology, ok: false };
  const inventory = inventoryOf(model, platform.pipelines);
  let required: AccessPath[] = [];
  let forbidden: AccessPath[] = [];
  try {
    const own = new Map<PipelineConfig, AccessPath[]>();
    for (const config of platform.pipelines) {
      own.set(config, await requiredPaths(config, naming(config), inventory));
      required.push(...own.get(config)!);
    }
    for (const config of platform.pipelines) {
      forbidden.push(...forbiddenPaths(config, naming(config), own.get(config)!, inventory, required));
    }
    // Every ordered pair of pipelines: no role of one reaches the other's artifacts, roles, pipeline or targets.
    const proofs: PipelineProof[] = platform.pipelines.map((config) => ({ config, naming: naming(config), required: own.get(config)! }));
    for (const a of proofs) {
      for (const b of proofs) {
        if (a !== b) forbidden.push(...crossPipelinePaths(a, b, proofs, inventory));
      }
    }
  } catch (error) {
    return { outcomes: [], problems: [(error as Error).message], ok: false };
  }
  required = distinct(required);
  forbidden = distinct(forbidden);
  const paths = [...required, ...forbidden];
  const problems = [
    ...coverageProblems(model, required),
    ...uncoveredRoles(model, required),
    ...uncoveredAccessLogs(model, required),
    ...(await inputProblems(model, paths)),
  ];
  const outcomes: Outcome[] = [];
  for (const path of paths) outcomes.push(await evaluate(model, path));
  return { outcomes, problems, ok: problems.length === 0 && outcomes.every((o) => o.problems.length === 0) };
}

/** What the paths need to know about the synthesized stacks (and, for Terraform Cloud, which pipeline owns which stack). */
export function inventoryOf(model: AccessModel, pipelines: PipelineConfig[]): Inventory {
  return {
    roles: [...model.roles.values()].map(({ arn, account }) => ({ arn, account })).sort((a, b) => a.arn.localeCompare(b.arn)),
    resourceAccount: (arn) => model.resourceAccount(model.canonicalResource(arn)),
    createdArns: (type) => model.createdArns(type),
    workspaceStacks: model.workspaceStacks,
    runRoles: terraformCloudRunRoles(pipelines),
  };
}

function naming(config: PipelineConfig): Naming {
  return new Naming(config);
}

/** The same path derived for several pipelines (a shared resource's) is proven once. */
function distinct(paths: AccessPath[]): AccessPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The stacks must have been synthesized from this configuration: the same accounts, no more, no fewer. */
function topologyProblems(model: AccessModel, pipelines: PipelineConfig[]): string[] {
  const configured = new Set(pipelines.flatMap(topologyAccounts));
  const problems: string[] = [];
  for (const id of configured) {
    if (!model.accounts.has(id))
      problems.push(`account ${id} of the configuration has no stack: synthesize this configuration first`);
  }
  for (const id of model.accounts) {
    if (!configured.has(id)) problems.push(`the stacks work in account ${id}, which the configuration does not name`);
  }
  return problems;
}

/** Every role a pipeline action runs as must be one the proof shows the pipeline's role assuming. */
function coverageProblems(model: AccessModel, required: AccessPath[]): string[] {
  const proven = (pipelineRoleArn: string, roleArn: string) =>
    required.some(
      (p) =>
        p.action === 'sts:AssumeRole' && p.resource === roleArn && p.actor.kind === 'role' && p.actor.arn === pipelineRoleArn,
    );
  return model.pipelineActionRoles
    .filter((a) => !proven(a.pipelineRoleArn, a.roleArn))
    .map(
      (a) => `pipeline action ${a.action} runs as ${a.roleArn}, which no required path covers (add it to lib/verify/paths.ts)`,
    );
}

/**
 * Every role the stacks create must be exercised by a required path, as the
 * one acting or the one assumed: a role the proof does not know (a new stack,
 * a new kind) fails the run instead of going unproven.
 */
function uncoveredRoles(model: AccessModel, required: AccessPath[]): string[] {
  const covered = new Set(
    required.flatMap((p) => [
      ...(p.actor.kind === 'role' ? [p.actor.arn] : []),
      ...(p.action.startsWith('sts:AssumeRole') ? [p.resource] : []),
    ]),
  );
  return [...model.roles.values()]
    .filter((role) => !covered.has(role.arn))
    .map((role) => `${role.trust.origin} creates role ${role.arn}, which no required path exercises (add it to lib/verify/paths.ts)`);
}

/** Every bucket that logs its access must be shown delivering into its log bucket. */
function uncoveredAccessLogs(model: AccessModel, required: AccessPath[]): string[] {
  return model.accessLogging
    .filter(
      ({ bucket, targetBucket, prefix }) =>
        !required.some(
          (p) =>
            p.actor.kind === 'service' &&
            p.actor.service === 'logging.s3.amazonaws.com' &&
            p.actor.sourceArn === `arn:aws:s3:::${bucket}` &&
            p.action === 's3:PutObject' &&
            p.resource.startsWith(`arn:aws:s3:::${targetBucket}/${prefix}`),
        ),
    )
    .map(
      ({ bucket, targetBucket, origin }) =>
        `${origin} logs the access to ${bucket} into ${targetBucket}, which no required path proves (add it to lib/verify/paths.ts)`,
    );
}
