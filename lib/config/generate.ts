import type { AWS_REGIONS, PlatformInput } from './schema';

export type ConfigInput = PlatformInput;

/** Targets per generated wave: 100 targets make 10 deploy stages of 10 parallel actions. */
const WAVE_SIZE = 10;

/**
 * A valid platform with one pipeline of `targets` targets, each in an account
 * of its own, for tests and benchmarks at scale: targets deploy in waves of
 * ten (w1, w2, ...), and the last wave waits for an approval of its last
 * target. Account ids are distinct and deterministic. Valid up to about 140
 * targets, where the pipeline role's policy (it names every deploy role)
 * reaches IAM's limit.
 */
export function generateConfig(targets: number, region: (typeof AWS_REGIONS)[number] = 'eu-west-1'): ConfigInput {
  const id = (n: number) => String(100000000000 + n);
  const account = (name: string, n: number) => ({ name, id: id(n), role: `arn:aws:iam::${id(n)}:role/terraform` });
  return {
    platform: {
      name: 'scale',
      tooling: { id: id(1), region, role: `arn:aws:iam::${id(1)}:role/terraform` },
      accounts: [account('repos', 2), ...Array.from({ length: targets }, (_, i) => account(`a${i + 1}`, 10 + i))],
    },
    pipelines: [
      {
        name: 'app',
        source: { kind: 'codecommit', account: 'repos', name: 'scale-app' },
        targets: Array.from({ length: targets }, (_, i) => ({
          name: `t${i + 1}`,
          account: `a${i + 1}`,
          wave: `w${Math.floor(i / WAVE_SIZE) + 1}`,
          approval: i === targets - 1 && targets > 1,
          deploy: { kind: 's3' as const },
        })),
      },
    ],
  };
}

/**
 * A valid platform of `pipelines` pipelines with `targets` targets each, for
 * the scale test and the benchmark: every pipeline has its own repository in
 * the shared `repos` account and deploys into the same `targets` accounts
 * (a1, a2, ...), all in one wave with an approval before the last. Pipelines
 * alternate between an S3 release (p001, p003, ...) and a CloudFormation
 * release (p002, p004, ...), so both kinds' grants are exercised. The accounts
 * do not depend on the number of pipelines: adding one onboards a service
 * whose accounts are already served.
 */
export function generatePlatform(
  pipelines: number,
  targets: number,
  region: (typeof AWS_REGIONS)[number] = 'eu-west-1',
): ConfigInput {
  const id = (n: number) => String(100000000000 + n);
  const account = (name: string, n: number) => ({ name, id: id(n), role: `arn:aws:iam::${id(n)}:role/terraform` });
  const width = Math.max(3, String(pipelines).length);
  return {
    platform: {
      name: 'scale',
      tooling: { id: id(1), region, role: `arn:aws:iam::${id(1)}:role/terraform` },
      accounts: [account('repos', 2), ...Array.from({ length: targets }, (_, i) => account(`a${i + 1}`, 10 + i))],
      regions: [region],
    },
    pipelines: Array.from({ length: pipelines }, (_, p) => {
      const name = `p${String(p + 1).padStart(width, '0')}`;
      return {
        name,
        source: { kind: 'codecommit' as const, account: 'repos', name },
        targets: Array.from({ length: targets }, (_, t) => ({
          name: `t${t + 1}`,
          account: `a${t + 1}`,
          wave: `w${Math.floor(t / WAVE_SIZE) + 1}`,
          approval: t === targets - 1 && targets > 1,
          deploy:
            p % 2 === 0
              ? { kind: 's3' as const }
              : {
                  kind: 'cloudformation' as const,
                  stackName: name,
                  executionRole: {
                    statements: [
                      {
                        actions: ['dynamodb:CreateTable', 'dynamodb:DescribeTable'],
                        resources: [`arn:aws:dynamodb:${region}:${id(10 + t)}:table/${name}`],
                      },
                    ],
                  },
                },
        })),
      };
    }),
  };
}
