import type { z } from 'zod';
import type { AWS_REGIONS, configSchema } from './schema';

export type ConfigInput = z.input<typeof configSchema>;

/**
 * A valid configuration with `targets` target accounts (the last one behind
 * an approval), for tests and benchmarks at scale. Account ids are distinct
 * and deterministic.
 */
export function generateConfig(targets: number, region: (typeof AWS_REGIONS)[number] = 'eu-west-1'): ConfigInput {
  const account = (n: number) => {
    const id = String(100000000000 + n);
    return { id, region, role: `arn:aws:iam::${id}:role/terraform` };
  };
  return {
    project: 'scale',
    pipeline: { account: account(1) },
    repository: { account: account(2), name: 'scale-app' },
    targets: Array.from({ length: targets }, (_, i) => ({
      name: `t${i + 1}`,
      account: account(10 + i),
      approval: i === targets - 1 && targets > 1,
      deploy: { kind: 's3' as const },
    })),
  };
}
