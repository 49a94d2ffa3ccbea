import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PlatformConfig } from '../config/schema';
import { JSON_TWIN_DIR } from '../synth';
import { readSynthesized, type SynthesizedApp } from '../verify/synthesized';
import { type AccessChange, diffAccess } from './access';
import { diffResources, renamedResources, type StackDiff } from './resources';

export interface DiffSummary {
  stacksAdded: number;
  stacksRemoved: number;
  stacksChanged: number;
  create: number;
  update: number;
  /** In-place replacements (a replacing argument changed) and address changes (destroyed here, created there). */
  replace: number;
  destroy: number;
  /** Resources with prevent_destroy that the plan would destroy or replace: it stops with an error. */
  protectedDestroys: number;
  allowed: number;
  denied: number;
}

export interface DiffResult {
  /** The configuration synthesized now. */
  config: string;
  /** The earlier output directory. */
  against: string;
  /** The configuration of the earlier output, when given: its access paths are compared too. */
  againstConfig?: string;
  stacks: StackDiff[];
  /** Resources whose address changed: the plan destroys `from` and creates `to`. */
  moved: Array<{ from: string; to: string; type: string }>;
  access: AccessChange[];
  /** Why the access paths could not be compared (an output the access model cannot read); the resources still are. */
  accessError?: string;
  summary: DiffSummary;
  changed: boolean;
}

/** A problem with the inputs of a diff (no earlier output, an HCL output...): one line, no stack trace. */
export class DiffInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}

/** Reads an output directory written by `npm run synth` (JSON), refusing anything else in one clear line. */
export function readOutput(outdir: string): SynthesizedApp {
  const manifestFile = path.join(outdir, 'manifest.json');
  let manifest: { stacks?: Record<string, { synthesizedStackPath?: string }> };
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new DiffInputError(
      `cannot read the earlier output ${manifestFile}: ${reason} (run npm run synth on the base branch first, or give --against <dir>)`,
    );
  }
  // An HCL synth keeps each stack's JSON in json/ (lib/synth.ts), which readSynthesized reads; an older one does not.
  const hcl = Object.values(manifest.stacks ?? {}).some((s) => s.synthesizedStackPath?.endsWith('.tf'));
  if (hcl && !existsSync(path.join(outdir, JSON_TWIN_DIR))) {
    throw new DiffInputError(
      `${outdir} holds an HCL synth without the JSON copy of its stacks (${JSON_TWIN_DIR}/); synthesize it again (npm run synth:hcl or npm run synth)`,
    );
  }
  try {
    return readSynthesized(outdir);
  } catch (error) {
    throw new DiffInputError(`cannot read the earlier output ${outdir}: ${(error as Error).message}`);
  }
}

/** Compares two synthesized outputs: resources per stack, then access paths. */
export async function diffOutputs(
  before: SynthesizedApp,
  after: SynthesizedApp,
  inputs: { config: string; against: string; platform: PlatformConfig; againstConfig?: { file: string; platform: PlatformConfig } },
): Promise<DiffResult> {
  const stacks = diffResources(before, after);
  const moved = renamedResources(stacks);
  for (const { from, to } of moved) {
    mark(stacks, from, `address changed: created anew as ${to}`);
    mark(stacks, to, `address changed: replaces ${from}`);
  }
  let access: AccessChange[] = [];
  let accessError: string | undefined;
  try {
    access = await diffAccess(before, after, { after: inputs.platform, before: inputs.againstConfig?.platform });
  } catch (error) {
    accessError = (error as Error).message;
  }
  const resources = stacks.flatMap((s) => s.resources);
  const summary: DiffSummary = {
    stacksAdded: stacks.filter((s) => s.status === 'added').length,
    stacksRemoved: stacks.filter((s) => s.status === 'removed').length,
    stacksChanged: stacks.filter((s) => s.status === 'changed').length,
    create: resources.filter((r) => r.action === 'create' && r.replaceReasons.length === 0).length,
    update: resources.filter((r) => r.action === 'update').length,
    replace: resources.filter((r) => r.action === 'replace').length + moved.length,
    destroy: resources.filter((r) => r.action === 'destroy' && r.replaceReasons.length === 0).length,
    protectedDestroys: resources.filter((r) => r.protectedFromDestroy).length,
    allowed: access.filter((a) => a.change === 'allowed').length,
    denied: access.filter((a) => a.change === 'denied').length,
  };
  return {
    config: inputs.config,
    against: inputs.against,
    ...(inputs.againstConfig ? { againstConfig: inputs.againstConfig.file } : {}),
    stacks,
    moved,
    access,
    ...(accessError ? { accessError } : {}),
    summary,
    changed: stacks.length > 0 || access.length > 0,
  };
}

function mark(stacks: StackDiff[], where: string, reason: string): void {
  const [stack, address] = where.split(': ');
  const resource = stacks.find((s) => s.stack === stack)?.resources.find((r) => r.address === address);
  resource?.replaceReasons.push(reason);
}
