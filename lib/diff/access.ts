import type { PlatformConfig } from '../config/schema';
import { Naming } from '../naming';
import { AccessModel } from '../verify/model';
import { type AccessPath, forbiddenPaths, requiredPaths } from '../verify/paths';
import { actorLabel } from '../verify/report';
import { evaluate } from '../verify/simulate';
import type { SynthesizedApp } from '../verify/synthesized';
import { inventoryOf } from '../verify/verify';

/** What a request comes to in one output: the engine's result, or `absent` when that output has no such principal or resource. */
export type AccessResult = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'absent';

export interface AccessChange {
  change: 'allowed' | 'denied';
  principal: string;
  action: string;
  /** The resource, with the request's context keys in brackets when it carries any. */
  resource: string;
  before: AccessResult;
  after: AccessResult;
  /** What the access proof says of the path (e.g. `the deploy role of staging deploys the stack`). */
  claim: string;
}

/**
 * The access paths that become allowed or denied, computed with the access
 * proof's model: the paths the proof derives from the new configuration (and
 * from the earlier one, when given), each evaluated against the policies of
 * both outputs. A path whose principal or resource one output lacks counts
 * as not allowed there.
 */
export async function diffAccess(
  before: SynthesizedApp,
  after: SynthesizedApp,
  configs: { after: PlatformConfig; before?: PlatformConfig },
): Promise<AccessChange[]> {
  const oldModel = new AccessModel(before);
  const newModel = new AccessModel(after);
  const paths = distinct([
    ...(await proofPaths(newModel, configs.after)),
    ...(configs.before ? await proofPaths(oldModel, configs.before) : []),
  ]);
  const changes: AccessChange[] = [];
  for (const path of paths) {
    const was = await resultIn(oldModel, path);
    const is = await resultIn(newModel, path);
    if ((was === 'Allowed') === (is === 'Allowed')) continue;
    changes.push({
      change: is === 'Allowed' ? 'allowed' : 'denied',
      principal: actorLabel(path.actor),
      action: path.action,
      resource: resourceLabel(path),
      before: was,
      after: is,
      claim: path.claim,
    });
  }
  return changes.sort(
    (a, b) =>
      a.change.localeCompare(b.change) ||
      a.principal.localeCompare(b.principal) ||
      a.action.localeCompare(b.action) ||
      a.resource.localeCompare(b.resource),
  );
}

/** The required and forbidden paths `npm run verify` proves for a configuration, against the stacks of one output. */
async function proofPaths(model: AccessModel, platform: PlatformConfig): Promise<AccessPath[]> {
  const inventory = inventoryOf(model, platform.pipelines);
  const required: AccessPath[] = [];
  const own = new Map<string, AccessPath[]>();
  for (const config of platform.pipelines) {
    const paths = await requiredPaths(config, new Naming(config), inventory);
    own.set(config.name, paths);
    required.push(...paths);
  }
  const forbidden = platform.pipelines.flatMap((config) =>
    forbiddenPaths(config, new Naming(config), own.get(config.name)!, inventory, required),
  );
  return [...required, ...forbidden];
}

async function resultIn(model: AccessModel, path: AccessPath): Promise<AccessResult> {
  if (missingResource(model, path)) return 'absent';
  const outcome = await evaluate(model, path);
  // The engine errs when the output has no such role, or cannot tell who owns the resource: nothing to allow.
  return outcome.result === 'Error' ? 'absent' : outcome.result;
}

/**
 * A request on a role, key alias or bucket that the output does not create
 * (of a target the other output has): without its trust or resource policy
 * the engine would judge the caller's own policies alone, which is no access
 * at all when the resource does not exist.
 */
function missingResource(model: AccessModel, path: AccessPath): boolean {
  if (path.outsideStacks || path.resource === '*') return false;
  if (path.action.toLowerCase().startsWith('sts:assumerole')) return !model.roles.has(path.resource);
  if (/^arn:aws:kms:[^:]*:[^:]*:alias\//.test(path.resource)) return !model.keyAliases.has(path.resource);
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(path.resource)?.[1];
  return bucket !== undefined && path.account === undefined && !model.bucketAccounts.has(bucket);
}

/** The same request derived twice (for two pipelines, or from both configurations) is compared once. */
function distinct(paths: AccessPath[]): AccessPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify([p.actor, p.action, p.resource, p.account, p.context, p.absent, p.outsideStacks]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function resourceLabel(path: AccessPath): string {
  const variant = [
    ...Object.entries(path.context ?? {}).map(([key, value]) => `${key}=${value}`),
    ...(path.absent ?? []).map((key) => `no ${key}`),
  ];
  return variant.length > 0 ? `${path.resource} [${variant.join(', ')}]` : path.resource;
}
