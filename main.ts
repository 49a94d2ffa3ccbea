import { type App, TerraformStack } from 'cdktf';
import { createBackend } from './lib/backend';
import { ConfigError, loadConfig } from './lib/config/load';
import type { PlatformConfig } from './lib/config/schema';
import { Naming, PlatformNaming, terraformCloudRunRoles } from './lib/naming';
import { OutputError, synthesizeAtomically, synthesizeHclAtomically } from './lib/synth';
import { AccountFoundationStack } from './stacks/account-foundation-stack';
import { PipelineBaseStack } from './stacks/pipeline-base-stack';
import { PipelineStack } from './stacks/pipeline-stack';
import { PlatformStack } from './stacks/platform-stack';
import { RepositoryStack } from './stacks/repository-stack';
import { TargetStack } from './stacks/target-stack';
import { TerraformCloudBootstrapStack } from './stacks/tfc-bootstrap-stack';

/**
 * Wires every stack: the platform's foundation (the tooling account's, and
 * one per served account that S3 releases go to), then each pipeline's own
 * stacks, then the Terraform Cloud bootstrap when that backend asks for it.
 * The order of dependencies is the apply order.
 */
export function buildStacks(app: App, platform: PlatformConfig): void {
  const platformNaming = new PlatformNaming(platform);
  const backend = createBackend(platform);
  const foundation = new PlatformStack(app, { platform, naming: platformNaming, backend });
  // Only accounts that receive S3 releases need a key and log bucket of their own; in platform.accounts order.
  const deployAccounts = new Set(platform.pipelines.flatMap((p) => p.targets.filter((t) => t.deploy.kind === 's3').map((t) => t.account.name)));
  const accountStacks = new Map(
    platform.accounts
      .filter((account) => deployAccounts.has(account.name))
      .map((account) => [account.name, new AccountFoundationStack(app, { platform, naming: platformNaming, backend, account })]),
  );

  for (const config of platform.pipelines) {
    const context = { config, naming: new Naming(config), backend };
    const base = new PipelineBaseStack(app, { ...context, platform: foundation });
    // Only a CodeCommit source has an account of its own; the others live in the tooling account.
    const repository = config.source.kind === 'codecommit' ? new RepositoryStack(app, { ...context, base, source: config.source }) : undefined;
    const targets = config.targets.map(
      (target) => new TargetStack(app, { ...context, base, target, foundation: accountStacks.get(target.account.name ?? '') }),
    );
    new PipelineStack(app, { ...context, base, repository, targets });
  }

  const bootstrap = backend.bootstrap;
  if (bootstrap) {
    const workspaceStacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
    const stack = new TerraformCloudBootstrapStack(app, bootstrap.stackName, {
      ...bootstrap,
      stacks: workspaceStacks,
      runRoles: terraformCloudRunRoles(platform.pipelines),
    });
    bootstrap.attachState(stack);
    // Workspaces, their credentials and run triggers exist before any stack runs in them.
    for (const workspaceStack of workspaceStacks) workspaceStack.addDependency(stack);
  }
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
    if (!(error instanceof ConfigError || error instanceof OutputError)) throw error;
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
