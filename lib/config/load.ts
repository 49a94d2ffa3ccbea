import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { schemaProblems } from './messages';
import type { Problem } from './problem';
import { platformProblems, type SourceOfProblem } from './platform-rules';
import { resolvePlatform } from './resolve';
import { parseConfigText, readConfigText, UnreadableFile } from './read';
import { platformFileSchema, type PlatformConfig } from './schema';

export { formatPath } from './messages';

/** The configuration used when PIPELINE_CONFIG is not set. */
export const DEFAULT_CONFIG_FILE = path.join('config', 'example.yaml');

/** Where a directory configuration keeps the platform and each pipeline. */
export const PLATFORM_FILE = 'platform.yaml';
export const PIPELINES_DIRECTORY = 'pipelines';

/** Every problem found in a configuration; nothing has been synthesized. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration:\n` +
        // A message of several lines (a YAML error's code excerpt) keeps them, indented under its problem.
        problems.map((p) => `  - ${p.file ? `${p.file}: ` : ''}${p.path}: ${p.message.replace(/\n/g, '\n      ')}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses and validates a YAML document, or a strict JSON one when `file` ends
 * in `.json` (one file: `platform:` and `pipelines:`); throws ConfigError
 * listing every problem.
 */
export function parseConfig(source: string, file = '<inline>'): PlatformConfig {
  return validateConfig(parseText(source, file), file);
}

/** Validates an already-parsed single-file document; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, file = '<inline>'): PlatformConfig {
  return validate(raw, file, (path) => ({ path }), []);
}

/**
 * Reads the file or directory named by PIPELINE_CONFIG, or the example
 * configuration. A directory's `platform.yaml` (with `pipelines/` beside it)
 * names the directory.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): { file: string; config: PlatformConfig } {
  const file = env.PIPELINE_CONFIG || DEFAULT_CONFIG_FILE;
  let directory: boolean;
  try {
    directory = statSync(file).isDirectory();
  } catch (error) {
    throw new ConfigError(file, [{ path: '(file)', message: `cannot read: ${(error as Error).message}` }]);
  }
  if (directory) return { file, config: loadDirectory(file) };
  // The platform.yaml of a configuration directory stands for the directory.
  const parent = path.dirname(file);
  if (path.basename(file) === PLATFORM_FILE && existsSync(path.join(parent, PIPELINES_DIRECTORY))) {
    return { file, config: loadDirectory(parent) };
  }
  return { file, config: parseConfig(readText(file, file), file) };
}

/**
 * A directory: `platform.yaml` (owned by the platform team) and one file per
 * pipeline in `pipelines/` (owned by its service team). A pipeline file's
 * `name` is its file name without `.yaml`; giving another name is a problem.
 */
function loadDirectory(directory: string): PlatformConfig {
  const problems: Problem[] = [];
  const read = (relative: string): unknown => {
    try {
      return parseText(readText(path.join(directory, relative), relative), relative);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems.map((p) => ({ ...p, file: relative })));
      return undefined;
    }
  };
  const platformDocument = read(PLATFORM_FILE);
  let pipelineFiles: string[] = [];
  try {
    pipelineFiles = readdirSync(path.join(directory, PIPELINES_DIRECTORY))
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
  } catch (error) {
    problems.push({ file: PIPELINES_DIRECTORY, path: '(directory)', message: `cannot read: ${(error as Error).message}` });
  }
  if (pipelineFiles.length === 0 && problems.length === 0) {
    problems.push({ file: PIPELINES_DIRECTORY, path: '(directory)', message: 'no pipeline files (<name>.yaml)' });
  }
  // A wrong name is reported with the rest; the pipeline is then checked under its file's name.
  const misnamed: Problem[] = [];
  const pipelines = pipelineFiles.map((f) => {
    const relative = `${PIPELINES_DIRECTORY}/${f}`;
    const stem = f.replace(/\.ya?ml$/, '');
    const document = read(relative);
    if (document === null || typeof document !== 'object' || Array.isArray(document)) return document;
    const named = document as Record<string, unknown>;
    if (named.name !== undefined && named.name !== stem) {
      misnamed.push({ file: relative, path: 'name', message: `must be "${stem}", the file's name (or be left out)` });
    }
    return { ...named, name: stem };
  });
  // Files that do not parse leave nothing to check.
  if (problems.length > 0) throw new ConfigError(directory, problems);
  const platform = platformDocument !== null && typeof platformDocument === 'object' ? (platformDocument as Record<string, unknown>) : {};
  const { $schema: _schema, ...platformOnly } = platform;
  const raw = { ...platformOnly, pipelines };
  // Problems of `pipelines[i].x` belong to file pipelines/<file>; those of `platform.x` to platform.yaml.
  const locate = (problemPath: string): SourceOfProblem => {
    const match = /^pipelines\[(\d+)\]\.?(.*)$/.exec(problemPath);
    if (match) return { file: `${PIPELINES_DIRECTORY}/${pipelineFiles[Number(match[1])]}`, path: match[2] || '(root)' };
    return { file: PLATFORM_FILE, path: problemPath };
  };
  return validate(raw, directory, locate, misnamed);
}

/** Schema, platform rules and every pipeline's rules, then the resolved platform. */
function validate(raw: unknown, file: string, locate: (path: string) => SourceOfProblem, earlier: Problem[]): PlatformConfig {
  const legacy = legacyProblem(raw);
  if (legacy) throw new ConfigError(file, [legacy]);
  const parsed = platformFileSchema.safeParse(raw);
  const found = [...(parsed.success ? [] : schemaProblems(parsed.error.issues, platformFileSchema, raw)), ...platformProblems(raw)];
  const problems = [...earlier, ...dedupe(found).map((p) => ({ ...p, ...locate(p.path) }))];
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(file, problems.map(({ file: f, ...p }) => (f ? { file: f, ...p } : p)));
  }
  return resolvePlatform(parsed.data, raw as Record<string, unknown>);
}

/** The single-pipeline format of before the platform: refused, with the way to upgrade. */
function legacyProblem(raw: unknown): Problem | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const doc = raw as Record<string, unknown>;
  if ('platform' in doc || !('project' in doc || 'pipeline' in doc || 'targets' in doc)) return undefined;
  return {
    path: '(root)',
    message:
      'this is the single-pipeline format (project, pipeline, source, targets): configurations are now a platform ' +
      'with pipelines; docs/upgrade.md gives the mechanical change and how to move existing state',
  };
}

/** The text of a configuration file (checked before reading, see readConfigText); throws ConfigError. */
function readText(file: string, reported: string): string {
  try {
    return readConfigText(file);
  } catch (error) {
    if (error instanceof UnreadableFile) throw new ConfigError(reported, error.problems);
    throw error;
  }
}

/** YAML, or strict JSON for a `.json` file; throws ConfigError with line and column. */
function parseText(source: string, file: string): unknown {
  try {
    return parseConfigText(source, file);
  } catch (error) {
    if (error instanceof UnreadableFile) throw new ConfigError(file, error.problems);
    throw error;
  }
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
