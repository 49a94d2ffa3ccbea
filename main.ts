import { type App, TerraformStack } from 'cdktf';
import { createBackend } from './lib/backend';
import { chooseConfig, chooseOutdir, type CommandSpec, CONFIG_ENVIRONMENT, CONFIG_OPTION, exampleNotice, type Io, OUT_OPTION, processIo, runAsProcess, runCommand } from './lib/cli';
import { ConfigError, DEFAULT_CONFIG_FILE, loadConfig } from './lib/config/load';
import type { PlatformConfig } from './lib/config/schema';
import { Naming, PlatformNaming, terraformCloudRunRoles } from './lib/naming';
import { formatNextSteps } from './lib/next-steps';
import { synthesizeConfig, synthSummary } from './lib/synth-command';
import { OutputError } from './lib/synth';
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

/** The command line of `node dist/main.js` (`npm run synth`, `npm run synth:hcl`, and the app `cdktf synth` runs). */
export const SYNTH_COMMAND: CommandSpec = {
  command: 'node dist/main.js',
  summary:
    'Synthesizes every stack of a platform configuration into an output directory, with the apply and destroy order; ' +
    'with --hcl as Terraform HCL plus handoff/, one root module per stack for teams that only run Terraform.',
  options: {
    config: CONFIG_OPTION,
    out: OUT_OPTION,
    hcl: { type: 'boolean', description: 'write HCL (cdk.tf) and the hand-off folder instead of Terraform JSON (also SYNTH_HCL_OUTPUT=true)' },
  },
  environment: [...CONFIG_ENVIRONMENT, ['SYNTH_HCL_OUTPUT', '"true" is the same as --hcl (what `cdktf synth --hcl` sets)']],
  examples: [
    ['npm run synth', `the example (${DEFAULT_CONFIG_FILE}) into cdktf.out/`],
    ['npm run synth -- --config my-platform.yaml', 'a configuration file'],
    ['npm run synth:hcl -- --config platform/ --out build/out', 'a configuration directory, as HCL with the hand-off, into build/out/'],
    ['PIPELINE_CONFIG=my-platform.yaml npx cdktf synth', 'the same through the cdktf CLI (it runs this app without arguments)'],
  ],
  notes: [
    'A refused configuration lists every problem with its file and field and writes nothing: an earlier output stays as it was.',
    'Exit codes: 0 synthesized, 1 configuration refused or synthesis failed, 2 usage error.',
  ],
};

/**
 * Synthesizes every stack of the configuration (--config, PIPELINE_CONFIG or
 * the example) as JSON, or as HCL with --hcl or when SYNTH_HCL_OUTPUT is
 * "true" (what `cdktf synth --hcl` sets); returns the exit code. The cdktf CLI
 * runs it without arguments.
 */
export async function run(env: NodeJS.ProcessEnv = process.env, argv: string[] = [], io: Io = processIo): Promise<number> {
  return runCommand(
    SYNTH_COMMAND,
    argv,
    async (values) => {
      const chosen = chooseConfig(values, env);
      const outdir = chooseOutdir(values, env);
      const notice = exampleNotice(chosen);
      if (notice) io.err(`${notice}\n`);
      try {
        const { config } = loadConfig({ PIPELINE_CONFIG: chosen.file });
        const hcl = values.hcl === true || env.SYNTH_HCL_OUTPUT === 'true';
        const result = await synthesizeConfig({ file: chosen.file, config, outdir, hcl, build: buildStacks });
        io.out(synthSummary(result, outdir));
        // What only a person can do after applying (a pending connection's handshake); nothing when there is none.
        io.out(formatNextSteps(config));
        return 0;
      } catch (error) {
        if (!(error instanceof ConfigError || error instanceof OutputError)) throw error;
        io.err(`${error.message}\n`);
        io.err('Nothing was synthesized; an earlier output directory is unchanged.\n');
        return 1;
      }
    },
    io,
  );
}

if (require.main === module) {
  runAsProcess(() => run(process.env, process.argv.slice(2)));
}
