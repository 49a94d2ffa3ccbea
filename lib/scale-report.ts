import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fixedMonthlyUsd, resourceCounts } from './cost';
import { isFoundationStack, policySizes } from './verify/policy-sizes';
import { readSynthesized } from './verify/synthesized';

/**
 * What the platform rows synthesized: stacks, resources of the foundation and
 * per pipeline, the resources each added pipeline brings (by type), and the
 * largest policy of each kind against its AWS limit.
 */
export function platformReport(runs: Array<{ pipelines: number; outdir: string }>, targets: number): string {
  const synthesized = runs
    .filter(({ outdir }) => existsSync(path.join(outdir, 'manifest.json')))
    .map(({ pipelines, outdir }) => {
      const app = readSynthesized(outdir);
      return { pipelines, app, all: resourceCounts(app.stacks), foundation: resourceCounts(app.stacks, isFoundationStack) };
    });
  if (synthesized.length === 0) return '\nplatform rows: nothing synthesized (every platform row failed or was skipped)';
  const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const lines = [
    '',
    `Platforms of P pipelines × ${targets} targets (generatePlatform; the same ${targets} target accounts for every P):`,
    '',
    '| pipelines | stacks | resources | foundation resources | foundation fixed cost / month | per pipeline: resources | per pipeline: fixed cost / month | policies | largest policy / its limit | over a limit |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { pipelines, app, all, foundation } of synthesized) {
    const sizes = policySizes(app);
    const largest = sizes.reduce((a, b) => (b.size / b.limit > a.size / a.limit ? b : a));
    const own = Object.fromEntries(Object.entries(all).map(([type, n]) => [type, n - (foundation[type] ?? 0)]));
    lines.push(
      `| ${pipelines} | ${Object.keys(app.stacks).length} | ${total(all)} | ${total(foundation)} | ${usd(fixedMonthlyUsd(foundation))} | ` +
        `${(total(own) / pipelines).toFixed(1)} | ${usd(fixedMonthlyUsd(own) / pipelines)} | ${sizes.length} | ` +
        `${largest.kind} ${largest.size} / ${largest.limit} (${largest.what}) | ${sizes.filter((s) => s.size > s.limit).length} |`,
    );
  }
  const [first, last] = [synthesized[0], synthesized[synthesized.length - 1]];
  if (last.pipelines > first.pipelines) {
    const added = (type: string) => ((last.all[type] ?? 0) - (first.all[type] ?? 0)) / (last.pipelines - first.pipelines);
    const grown = (type: string) => (last.foundation[type] ?? 0) - (first.foundation[type] ?? 0);
    const types = [...new Set([...Object.keys(first.all), ...Object.keys(last.all)])].sort();
    lines.push(
      '',
      `Resources each added pipeline brings, by type (${first.pipelines}→${last.pipelines} pipelines; its accounts already served):`,
      '',
      '| resource type | per added pipeline | foundation growth |',
      '| --- | ---: | ---: |',
      ...types.filter((t) => added(t) !== 0 || grown(t) !== 0).map((t) => `| ${t} | ${added(t)} | ${grown(t)} |`),
      '',
      `KMS keys, trails and log buckets per added pipeline: ${added('aws_kms_key') + added('aws_kms_replica_key')} keys, ` +
        `${added('aws_cloudtrail')} trails, ${added('aws_s3_bucket_lifecycle_configuration')} log buckets ` +
        '(log buckets are the buckets with a lifecycle rule; the others are artifact and deploy buckets)',
    );
  }
  return lines.join('\n');
}
