/**
 * What the stacks cost to keep, by resource type, from AWS's published
 * prices (us-east-1, on-demand, checked December 2026; most regions are the
 * same or close). Only charges that exist whether or not anything runs are
 * "fixed"; usage (build minutes, action minutes, storage, requests, events)
 * is listed in docs/cost.md but not estimated here.
 */

/** Monthly charge of one resource of a type that costs money merely by existing, in USD. */
export const FIXED_MONTHLY_USD: Record<string, { usd: number; source: string }> = {
  // "Each AWS KMS key that you create in KMS costs $1/month ... each multi-Region key (each primary and each replica)".
  aws_kms_key: { usd: 1, source: 'https://aws.amazon.com/kms/pricing/' },
  aws_kms_replica_key: { usd: 1, source: 'https://aws.amazon.com/kms/pricing/' },
  // Standard-resolution alarm, per alarm metric and month (the first 10 of an account are free).
  aws_cloudwatch_metric_alarm: { usd: 0.1, source: 'https://aws.amazon.com/cloudwatch/pricing/' },
};

/** Types whose charge depends on use only (shown as "usage" in docs/cost.md). */
export const USAGE_PRICED = [
  'aws_codepipeline', // V2: $0.002 per action execution minute (V1: $1 per active pipeline and month)
  'aws_codebuild_project', // per build minute
  'aws_cloudtrail', // first copy of management events free; $2.00 per 100,000 for every further copy; data events $0.10 per 100,000
  'aws_s3_bucket', // storage and requests
  'aws_sns_topic', // deliveries
  'aws_cloudwatch_event_rule', // custom and cross-account events $1.00 per million
  'aws_cloudwatch_log_group', // ingestion and storage
];

/** Resources of each type in the stacks selected, from their synthesized JSON. */
export function resourceCounts(
  stacks: Record<string, { resource?: Record<string, Record<string, unknown>> }>,
  select: (stack: string) => boolean = () => true,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, json] of Object.entries(stacks)) {
    if (!select(name)) continue;
    for (const [type, blocks] of Object.entries(json.resource ?? {})) {
      counts[type] = (counts[type] ?? 0) + Object.keys(blocks).length;
    }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** The fixed monthly cost of a set of resources, in USD. */
export function fixedMonthlyUsd(counts: Record<string, number>): number {
  return Object.entries(counts).reduce((sum, [type, n]) => sum + (FIXED_MONTHLY_USD[type]?.usd ?? 0) * n, 0);
}
