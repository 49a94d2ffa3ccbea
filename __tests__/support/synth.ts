import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ApplyOrder } from '../../lib/apply-order';
import { ConfigError, loadConfig, validateConfig } from '../../lib/config/load';
import type { Problem } from '../../lib/config/rules';
import type { PlatformConfig } from '../../lib/config/schema';
import { upgradeDocument } from '../../lib/config/upgrade';
import { APPLY_ORDER_FILE, synthesizeAtomically, synthesizeHclAtomically } from '../../lib/synth';
import { buildStacks } from '../../main';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */
export type TerraformJson = Record<string, any>;

export interface Synthesized {
  outdir: string;
  stacks: Record<string, TerraformJson>;
  applyOrder: ApplyOrder;
}

const cache = new Map<PlatformConfig, Synthesized>();

/** Synthesizes the whole app (cross-stack preparation included) once per configuration object. */
export function synthesize(config: PlatformConfig): Synthesized {
  const cached = cache.get(config);
  if (cached) return cached;
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'cdktf-test-')), 'cdktf.out');
  synthesizeAtomically(outdir, (app) => buildStacks(app, config));
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const stacks: Record<string, TerraformJson> = {};
  for (const [name, stack] of Object.entries<any>(manifest.stacks)) {
    stacks[name] = JSON.parse(readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8'));
  }
  const applyOrder = JSON.parse(readFileSync(path.join(outdir, APPLY_ORDER_FILE), 'utf8'));
  const result = { outdir, stacks, applyOrder };
  cache.set(config, result);
  return result;
}

const hclCache = new Map<PlatformConfig, Promise<string>>();

/** Synthesizes the whole app as HCL (with the hand-off folder) once per configuration object; resolves to the output directory. */
export function synthesizeHcl(config: PlatformConfig): Promise<string> {
  let outdir = hclCache.get(config);
  if (!outdir) {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cdktf-hcl-')), 'cdktf.out');
    outdir = synthesizeHclAtomically(dir, (app) => buildStacks(app, config)).then(() => dir);
    hclCache.set(config, outdir);
  }
  return outdir;
}

let example: PlatformConfig | undefined;
export function exampleConfig(): PlatformConfig {
  example ??= loadConfig({}).config;
  return example;
}

/**
 * A validated platform from a test's document: the platform format as is, or
 * a single-pipeline document (most tests describe one pipeline) upgraded the
 * way bin/upgrade-config does, into platform `acme` with one pipeline named
 * after its `project`.
 */
export function config(raw: unknown): PlatformConfig {
  return validateConfig(asPlatform(raw));
}

/** The only pipeline of a one-pipeline platform. */
export function pipelineOf(platform: PlatformConfig) {
  if (platform.pipelines.length !== 1) throw new Error(`expected one pipeline, got ${platform.pipelines.length}`);
  return platform.pipelines[0];
}

export function asPlatform(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || 'platform' in raw || !('project' in raw)) return raw;
  return upgradeDocument(raw as Record<string, unknown>, 'acme');
}

/** Every resource and data source of a stack as [type, name, body]. */
export function blocks(stack: TerraformJson): Array<[kind: 'resource' | 'data', type: string, name: string, body: any]> {
  const out: Array<['resource' | 'data', string, string, any]> = [];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, byName] of Object.entries<any>(stack[kind] ?? {})) {
      for (const [name, body] of Object.entries<any>(byName)) out.push([kind, type, name, body]);
    }
  }
  return out;
}

export function resourcesOfType(stack: TerraformJson, type: string): Array<[name: string, body: any]> {
  return Object.entries<any>(stack.resource?.[type] ?? {});
}

/** The statements of the policy document a resource's policy attribute points at. */
export function policyStatements(stack: TerraformJson, reference: string): any[] {
  const match = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(reference);
  if (!match) throw new Error(`not a policy document reference: ${reference}`);
  const document = stack.data.aws_iam_policy_document[match[1]];
  if (!document) throw new Error(`no policy document ${match[1]}`);
  return document.statement;
}

let shipped: Record<string, PlatformConfig> | undefined;
/** Every configuration the project ships: config/*.yaml, config/examples/*.yaml and the directories there, by path. */
export function shippedConfigs(): Record<string, PlatformConfig> {
  shipped ??= Object.fromEntries(
    ['config', 'config/examples']
      .flatMap((dir) =>
        readdirSync(dir, { withFileTypes: true })
          .filter((f) => (f.isFile() && f.name.endsWith('.yaml')) || (f.isDirectory() && existsSync(path.join(dir, f.name, 'platform.yaml'))))
          .map((f) => path.join(dir, f.name)),
      )
      .sort()
      .map((file) => [file, loadConfig({ PIPELINE_CONFIG: file }).config]),
  );
  return shipped;
}

/**
 * The problems a configuration is rejected with; fails the test when it is
 * accepted. For a single-pipeline document, paths inside its pipeline read
 * as in that document (`targets[0].name` for `pipelines[0].targets[0].name`).
 */
export function problemsOf(raw: unknown): Problem[] {
  const upgraded = asPlatform(raw) !== raw;
  try {
    validateConfig(asPlatform(raw));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return upgraded ? error.problems.map((p) => ({ ...p, path: p.path.replace(/^pipelines\[0\]\./, '') })) : error.problems;
  }
  throw new Error('expected the configuration to be rejected');
}
