/** One thing wrong with a configuration, at the field it is about. */
export interface Problem {
  /** The file of a directory configuration the field is in, e.g. `pipelines/billing.yaml`. */
  file?: string;
  /** Field path such as `targets[1].account`. */
  path: string;
  message: string;
}

/** CodePipeline refuses action configuration values longer than this (https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionConfiguration.html). */
export const ACTION_CONFIGURATION_VALUE_MAX = 1000;

/**
 * The length of Terraform's `jsonencode(value)`: compact, object keys sorted,
 * and `<`, `>`, `&`, U+2028 and U+2029 escaped as `\uXXXX`. Used to check
 * JSON action configuration values against CodePipeline's limit before
 * Terraform renders them.
 */
export function jsonencodedLength(value: unknown): number {
  return JSON.stringify(sortKeys(value)).replace(/[<>&\u2028\u2029]/g, '\\u0000').length;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** The 12-digit account of an ARN, if it names one. */
export function arnAccount(arn: string): string | undefined {
  return /^arn:aws:[\w-]+:[\w-]*:(\d{12}):/.exec(arn)?.[1];
}

/** The region of an ARN, if it names one. */
export function arnRegion(arn: string): string | undefined {
  return /^arn:aws:[\w-]+:([a-z0-9-]+):/.exec(arn)?.[1];
}
