import type { AccountConfig, PipelineConfig, PlatformConfig, SourceConfig, TargetConfig } from './schema';
import type { platformFileSchema } from './schema';
import type { z } from 'zod';

type ParsedPlatformFile = z.output<typeof platformFileSchema>;

/** Served regions: the tooling region first, then the others sorted. */
export function servedRegions(tooling: { region: string }, regions: readonly string[] | undefined): string[] {
  return [tooling.region, ...[...new Set(regions ?? [])].filter((r) => r !== tooling.region).sort()];
}

/**
 * The validated configuration as the stacks use it: each pipeline with its
 * accounts by value (a target's account in the target's region) and the
 * platform's settings beside its own. Called only after every rule passed,
 * so every account name resolves.
 */
export function resolvePlatform(parsed: ParsedPlatformFile, raw: Record<string, unknown>): PlatformConfig {
  const platform = parsed.platform;
  const accounts = new Map(platform.accounts.map((a) => [a.name, a]));
  const accountIn = (name: string, region: AccountConfig['region'] | undefined): AccountConfig => {
    const account = accounts.get(name);
    if (!account) throw new Error(`account ${name} is not in platform.accounts`);
    return { id: account.id, region: region ?? platform.tooling.region, role: account.role, name };
  };
  const rawPipelines = Array.isArray(raw.pipelines) ? raw.pipelines : [];
  const pipelines = parsed.pipelines.map((pipeline, i): PipelineConfig => {
    const rawBuild = record(record(rawPipelines[i]).build);
    // Fields a pipeline gives replace the platform's defaults one by one.
    const build = {
      secrets: [],
      parameters: [],
      ...platform.defaults.build,
      ...(pipeline.build ? Object.fromEntries(Object.keys(rawBuild).map((key) => [key, pipeline.build![key as keyof typeof pipeline.build]])) : {}),
    };
    let source: SourceConfig;
    if (pipeline.source.kind === 'codecommit') {
      const { region, account, ...rest } = pipeline.source;
      source = { ...rest, account: accountIn(account, region) };
    } else {
      source = pipeline.source;
    }
    const targets = pipeline.targets.map(({ account, region, ...target }): TargetConfig => ({ ...target, account: accountIn(account, region) }));
    return {
      platform: platform.name,
      name: pipeline.name,
      project: `${platform.name}-${pipeline.name}`,
      protectStatefulResources: platform.protectStatefulResources,
      backend: platform.backend,
      guardrails: platform.guardrails,
      audit: platform.audit,
      monitoring: platform.monitoring,
      pipeline: {
        account: platform.tooling,
        build,
        approvals: pipeline.approvals,
        executionMode: pipeline.executionMode,
        variables: pipeline.variables,
        onFailure: pipeline.onFailure,
      },
      source,
      targets,
    };
  });
  return {
    name: platform.name,
    tooling: platform.tooling,
    accounts: platform.accounts,
    regions: servedRegions(platform.tooling, platform.regions),
    protectStatefulResources: platform.protectStatefulResources,
    backend: platform.backend,
    guardrails: platform.guardrails,
    audit: platform.audit,
    monitoring: platform.monitoring,
    pipelines,
  };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
