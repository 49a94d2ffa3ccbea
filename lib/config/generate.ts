import type { z } from 'zod';
import type { AWS_REGIONS, configSchema } from './schema';

export type ConfigInput = z.input<typeof configSchema>;

/** Targets per generated wave: 100 targets make 10 deploy stages of 10 parallel actions. */
const WAVE_SIZE = 10;

/**
 * A valid configuration with `targets` target accounts, for tests and
 * benchmarks at scale: targets deploy in waves of ten (w1, w2, ...), and the
 * last wave waits for an approval of its last target. Account ids are
 * distinct and deterministic. Valid up to about 150 targets, where the
 * pipeline role's policy (it names every deploy role) reaches IAM's limit.
 */
export function generateConfig(targets: number, region: (typeof AWS_REGIONS)[number] = 'eu-west-1'): ConfigInput {
  const account = (n: number) => {
    const id = String(100000000000 + n);
    return { id, region, role: `arn:aws:iam::${id}:role/terraform` };
  };
  return {
    project: 'scale',
    pipeline: { account: account(1) },
    source: { kind: 'codecommit', account: account(2), name: 'scale-app' },
    targets: Array.from({ length: targets }, (_, i) => ({
      name: `t${i + 1}`,
      account: account(10 + i),
      wave: `w${Math.floor(i / WAVE_SIZE) + 1}`,
      approval: i === targets - 1 && targets > 1,
      deploy: { kind: 's3' as const },
    })),
  };
}
