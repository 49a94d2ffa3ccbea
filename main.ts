import type { App } from 'cdktf';
import { createBackend } from './lib/backend';
import { ConfigError, loadConfig } from './lib/config/load';
import type { PipelineConfig } from './lib/config/schema';
import { Naming } from './lib/naming';
import { synthesizeAtomically, synthesizeHclAtomically } from './lib/synth';
import { PipelineBaseStack } from './stacks/pipeline-base-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { RepositoryStack } from './stacks/repository-stack';
import { TargetStack } from './stacks/target-stack';

/** Wires one stack per account role; the order of dependencies is the apply order. */
export function buildStacks(app: App, config: PipelineConfig): void {
  const context = { config, naming: new Naming(config), backend: createBackend(config) };
  const base = new PipelineBaseStack(app, context);
  // Only a CodeCommit source has an account of its own; the others live in the pipeline account.
  const repository = config.source.kind === 'codecommit' ? new RepositoryStack(app, { ...context, base, source: config.source }) : undefined;
  const targets = config.targets.map((target) => new TargetStack(app, { ...context, base, target }));
  new PipelineStack(app, { ...context, base, repository, targets });
  context.backend.complete(app);
}

/**
 * Reads PIPELINE_CONFIG (or the example) and synthesizes every stack, as JSON,
 * or as HCL when SYNTH_HCL_OUTPUT is "true" (what `cdktf synth --hcl` sets);
 * returns the exit code.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { config } = loadConfig(env);
    const outdir = env.CDKTF_OUTDIR || 'cdktf.out';
    const build = (app: App) => buildStacks(app, config);
    if (env.SYNTH_HCL_OUTPUT === 'true') await synthesizeHclAtomically(outdir, build);
    else synthesizeAtomically(outdir, build);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    console.error('Nothing was synthesized; an earlier output directory is unchanged.');
    return 1;
  }
}

if (require.main === module) {
  run().then((code) => {
    process.exitCode = code;
  });
}
