import { Document, parseDocument } from 'yaml';

type Json = Record<string, unknown>;

/**
 * The mechanical change from the single-pipeline format (`project`,
 * `pipeline`, `source`, `targets` and the security sections) to a platform
 * with one pipeline: the pipeline account becomes `platform.tooling`, every
 * other account becomes a named entry of `platform.accounts` (named after the
 * wave or target that deploys there, the repository account `repos`), and
 * targets and the CodeCommit source refer to accounts by name, with their
 * region only when it is not the tooling region. Comments before the first
 * key are kept; the others are not. docs/upgrade.md describes the result
 * and how to move existing state.
 */
export function upgradeConfig(text: string, platformName?: string): string {
  const old = parseDocument(text);
  const out = new Document(upgradeDocument((old.toJS() ?? {}) as Json, platformName));
  out.commentBefore = old.commentBefore ?? old.contents?.commentBefore ?? null;
  return out.toString({ lineWidth: 0 });
}

/** The same change on a parsed document; the pipeline keeps the project's name. */
export function upgradeDocument(doc: Json, platformName?: string): Json {
  const pipeline = (doc.pipeline ?? {}) as Json;
  const tooling = (pipeline.account ?? {}) as Json;
  const toolingRegion = tooling.region as string;
  const names = new Map<string, string>();
  const accounts: Json[] = [];
  const nameFor = (account: Json, candidates: string[]): string => {
    const id = account.id as string;
    const known = names.get(id);
    if (known) return known;
    const taken = new Set(names.values());
    const name = [...candidates, `account-${id}`].find((c) => c && !taken.has(c))!;
    names.set(id, name);
    accounts.push({ name, id, role: account.role });
    return name;
  };
  const regionOf = (account: Json) => (account.region !== toolingRegion ? { region: account.region } : {});

  const oldSource = (doc.source ?? {}) as Json;
  let source: Json = oldSource;
  if (oldSource.kind === 'codecommit') {
    const { account, ...rest } = oldSource as { account: Json } & Json;
    source = { kind: rest.kind, account: nameFor(account, ['repos']), ...regionOf(account), ...omit(rest, 'kind') };
  }
  const targets = ((doc.targets ?? []) as Json[]).map((target) => {
    const { account, name, ...rest } = target as { account: Json; name: string } & Json;
    return { name, account: nameFor(account, [rest.wave as string, name]), ...regionOf(account), ...rest };
  });
  const regions = [...new Set([toolingRegion, ...targets.flatMap((t) => (t.region ? [t.region as string] : []))])];

  const platform: Json = {
    name: platformName ?? doc.project,
    tooling,
    accounts,
    ...(regions.length > 1 ? { regions } : {}),
    ...pick(doc, ['protectStatefulResources', 'backend', 'guardrails', 'audit', 'monitoring']),
  };
  return {
    platform,
    pipelines: [{ name: doc.project, source, ...omit(pipeline, 'account'), targets }],
  };
}

function pick(value: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}

function omit(value: Json, ...keys: string[]): Json {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}
