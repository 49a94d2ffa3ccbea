import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { crossFieldProblems, type Problem } from './rules';
import { configSchema, type PipelineConfig } from './schema';

/** The configuration used when PIPELINE_CONFIG is not set. */
export const DEFAULT_CONFIG_FILE = path.join('config', 'example.yaml');

/** Every problem found in a configuration file; nothing has been synthesized. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration:\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parses and validates a YAML or JSON document; throws ConfigError listing every problem. */
export function parseConfig(source: string, file = '<inline>'): PipelineConfig {
  const document = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((e) => ({ path: `(line ${e.linePos?.[0].line ?? '?'})`, message: e.message.split('\n')[0] })),
    );
  }
  return validateConfig(document.toJS(), file);
}

/** Validates an already-parsed document; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, file = '<inline>'): PipelineConfig {
  const parsed = configSchema.safeParse(raw);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map(toProblem)), ...crossFieldProblems(raw)];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(file, dedupe(problems));
  }
  return parsed.data;
}

/** Reads the file named by PIPELINE_CONFIG, or the example configuration. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): { file: string; config: PipelineConfig } {
  const file = env.PIPELINE_CONFIG || DEFAULT_CONFIG_FILE;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(error as Error).message}` }]);
  }
  return { file, config: parseConfig(source, file) };
}

function toProblem(issue: z.core.$ZodIssue): Problem {
  return { path: formatPath(issue.path) || '(root)', message: issue.message };
}

export function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`))
    .join('');
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
