import type { z } from 'zod';
import type { Problem } from './problem';

/**
 * The schema's findings as problems a person can act on: a missing field
 * "is required" (not "expected string, received undefined"), and an unknown
 * field is one problem at its own path naming the nearest valid key (a
 * misspelt required field is not reported a second time as missing).
 */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, raw: unknown): Problem[] {
  const missing = new Map<string, number>();
  const problems: Array<Problem | undefined> = [];
  for (const issue of issues) {
    if (isMissing(issue, raw)) {
      missing.set(formatPath(issue.path), problems.length);
      problems.push({ path: formatPath(issue.path), message: 'is required' });
    } else if (issue.code === 'invalid_union' && issue.path.length > 0 && valueAt(raw, issue.path) === undefined) {
      // A missing discriminator such as `kind`: required, and one of the kinds.
      const kinds = /Expected (.+)$/.exec(issue.message)?.[1];
      problems.push({ path: formatPath(issue.path), message: kinds ? `is required, one of ${kinds}` : 'is required' });
    } else if (issue.code !== 'unrecognized_keys') {
      problems.push({ path: formatPath(issue.path) || '(root)', message: issue.message });
    }
  }
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const valid = keysAt(schema, raw, issue.path);
    const given = valueAt(raw, issue.path);
    for (const key of issue.keys) {
      const path = formatPath([...issue.path, key]);
      // Required keys that are missing are the likeliest meaning; then any key not given yet.
      const missingHere = valid.filter((k) => missing.has(formatPath([...issue.path, k])));
      const unused = valid.filter((k) => !(given && typeof given === 'object' && k in given));
      const nearest = closest(key, missingHere) ?? closest(key, unused);
      if (nearest && missingHere.includes(nearest)) problems[missing.get(formatPath([...issue.path, nearest]))!] = undefined;
      problems.push({
        path,
        message: nearest
          ? `unknown field; did you mean "${nearest}"?`
          : `unknown field${valid.length > 0 ? `; the fields here are ${valid.join(', ')}` : ''}`,
      });
    }
  }
  return problems.filter((p): p is Problem => p !== undefined);
}

/** A type error on a key that is not there (whatever message the schema gives for a wrong type). */
function isMissing(issue: z.core.$ZodIssue, raw: unknown): boolean {
  if (issue.code !== 'invalid_type' || issue.path.length === 0) return false;
  const parent = valueAt(raw, issue.path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && !Array.isArray(parent) && !(issue.path[issue.path.length - 1] in parent);
}

export function formatPath(segments: readonly PropertyKey[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- zod's internal definitions are walked generically */
type Def = Record<string, any>;

/**
 * The keys an object schema allows at `path`, following arrays, records,
 * optional/default wrappers, pipes and lazy schemas; in a discriminated union
 * the option the given value names, in another union every object option.
 */
function keysAt(schema: z.ZodType, raw: unknown, path: readonly PropertyKey[]): string[] {
  let candidates: Def[] = [defOf(schema)];
  let value = raw;
  for (const segment of [...path, undefined]) {
    candidates = candidates.flatMap((d) => expand(d, value));
    if (segment === undefined) break;
    candidates = candidates.flatMap((d) => {
      if (d.type === 'object' && typeof segment === 'string' && d.shape?.[segment]) return [defOf(d.shape[segment])];
      if (d.type === 'array' && typeof segment === 'number') return [defOf(d.element)];
      if (d.type === 'record') return [defOf(d.valueType)];
      return [];
    });
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  }
  return [...new Set(candidates.filter((d) => d.type === 'object').flatMap((d) => Object.keys(d.shape ?? {})))].sort();
}

/** Wrappers unwrapped and union options chosen, for the value given. */
function expand(def: Def, value: unknown, depth = 0): Def[] {
  if (depth > 20) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return expand(defOf(def.innerType), value, depth + 1);
    case 'pipe':
      return expand(defOf(def.in), value, depth + 1);
    case 'lazy':
      return expand(defOf(def.getter()), value, depth + 1);
    case 'union': {
      const options: Def[] = def.options.flatMap((o: z.ZodType) => expand(defOf(o), value, depth + 1));
      const discriminator: string | undefined = def.discriminator;
      if (discriminator && value !== null && typeof value === 'object') {
        const chosen = (value as Record<string, unknown>)[discriminator];
        const matching = options.filter((o) => o.type === 'object' && literalValues(o.shape?.[discriminator]).includes(chosen));
        if (matching.length > 0) return matching;
      }
      return options;
    }
    case 'intersection':
      return [...expand(defOf(def.left), value, depth + 1), ...expand(defOf(def.right), value, depth + 1)];
    default:
      return [def];
  }
}

function literalValues(schema: z.ZodType | undefined): unknown[] {
  if (!schema) return [];
  const def = defOf(schema);
  if (def.type === 'literal') return def.values ?? [];
  if (def.type === 'enum') return Object.values(def.entries ?? {});
  if (def.type === 'optional' || def.type === 'default') return literalValues(def.innerType);
  return [];
}

function defOf(schema: z.ZodType): Def {
  return (schema as any)._zod.def;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The nearest of `candidates` to `key` (case-insensitive Levenshtein distance), if near enough to be a slip. */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A slip: at most a third of the longer name, and at least one character (so "acocunt" → "account").
  const allowed = Math.max(1, Math.floor(Math.max(key.length, best?.length ?? 0) / 3));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** Edits (insert, delete, substitute, swap two neighbours) between two strings. */
function levenshtein(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
