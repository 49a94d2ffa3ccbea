import { DataTfeOutputs } from '@cdktf/provider-tfe/lib/data-tfe-outputs';
import { TfeProvider } from '@cdktf/provider-tfe/lib/provider';
import {
  type App,
  CloudBackend,
  DataTerraformRemoteState,
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStateS3,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  Token,
  TerraformStack,
} from 'cdktf';
import type { Construct } from 'constructs';
import type { PipelineConfig, S3BackendConfig, TerraformCloudBackendConfig } from './config/schema';
import { Naming, permissionsBoundaryName } from './naming';
import { type BootstrapBoundary, TerraformCloudBootstrapStack } from '../stacks/tfc-bootstrap-stack';

/** What a consumer reads a producer's named outputs through. */
export interface OutputReader {
  getString(name: string): string;
}

/**
 * Where stacks keep state, and how one stack reads another's outputs. The
 * configuration picks one backend for all stacks; nothing else in the code
 * knows which it is.
 */
export interface StateBackend {
  /** Configures the stack's own backend block. */
  attach(stack: TerraformStack): void;
  /** A data source in `scope` that reads the named producer stack's outputs where that stack keeps them. */
  remoteState(scope: Construct, id: string, producerStack: string): OutputReader;
  /** Adds what this backend needs besides backend blocks, once every stack of the app exists. */
  complete(app: App): void;
}

/**
 * Terraform runs each stack in `cdktf.out/stacks/<stack>/`, so a path three
 * levels up is the project root. cdktf's own default is an absolute path of
 * the machine that synthesized, which breaks CI and every other machine.
 */
const PROJECT_ROOT_FROM_STACK_DIR = '../../..';

class LocalStateBackend implements StateBackend {
  constructor(private readonly directory: string) {}

  private path(stackName: string): string {
    return `${PROJECT_ROOT_FROM_STACK_DIR}/${this.directory}/${stackName}.tfstate`;
  }

  attach(stack: TerraformStack): void {
    new LocalBackend(stack, { path: this.path(stack.node.id) });
  }

  remoteState(scope: Construct, id: string, producerStack: string): OutputReader {
    return new DataTerraformRemoteStateLocal(scope, id, { path: this.path(producerStack) });
  }

  complete(): void {}
}

class S3StateBackend implements StateBackend {
  constructor(private readonly config: S3BackendConfig) {}

  /** Where the bucket is and who reads it: shared by the backend block and every remote-state read. */
  private location(stackName: string) {
    return {
      bucket: this.config.bucket,
      key: `${this.config.keyPrefix}/${stackName}.tfstate`,
      region: this.config.region,
      ...(this.config.roleArn ? { assumeRole: { roleArn: this.config.roleArn } } : {}),
    };
  }

  attach(stack: TerraformStack): void {
    const { locking } = this.config;
    const backend = new S3Backend(stack, {
      ...this.location(stack.node.id),
      encrypt: true,
      ...(locking === 'lockfile' ? {} : { dynamodbTable: locking.dynamodbTable }),
    });
    // cdktf 0.21's S3BackendConfig predates S3-native locking (Terraform 1.10), so it is set as an override.
    if (locking === 'lockfile') backend.addOverride('use_lockfile', true);
  }

  remoteState(scope: Construct, id: string, producerStack: string): OutputReader {
    return new DataTerraformRemoteStateS3(scope, id, this.location(producerStack));
  }

  complete(): void {}
}

/** The Terraform Cloud settings with every default resolved. */
export interface TerraformCloudSettings {
  hostname: string;
  organization: string;
  project: string;
  outputs: TerraformCloudBackendConfig['outputs'];
  bootstrap: TerraformCloudBackendConfig['bootstrap'];
  /** The workspace that holds a stack's state: `<workspacePrefix><stack>`. */
  workspace(stackName: string): string;
}

/**
 * cdktf renders a named workspace's `project` into JSON but drops it from
 * HCL; this keeps both the same.
 */
class ProjectWorkspace extends NamedCloudWorkspace {
  toHclTerraform(): Record<string, unknown> {
    const project = this.project ? { project: { value: this.project, type: 'simple', storageClassType: 'string' } } : {};
    return { ...super.toHclTerraform(), ...project };
  }
}

/** The stack the bootstrap keeps its own state in: it creates the workspaces, so it cannot live in one. */
const BOOTSTRAP_STACK = 'tfc-bootstrap';

class TerraformCloudStateBackend implements StateBackend {
  private readonly tfeProviders = new WeakMap<TerraformStack, TfeProvider>();

  constructor(
    private readonly settings: TerraformCloudSettings,
    private readonly naming: Naming,
    private readonly bootstrapState: StateBackend,
    private readonly protect: boolean,
    private readonly boundary: BootstrapBoundary,
  ) {}

  attach(stack: TerraformStack): void {
    const { organization, hostname, project } = this.settings;
    new CloudBackend(stack, {
      organization,
      hostname,
      workspaces: new ProjectWorkspace(this.settings.workspace(stack.node.id), project),
    });
  }

  remoteState(scope: Construct, id: string, producerStack: string): OutputReader {
    const { organization, hostname } = this.settings;
    const workspace = this.settings.workspace(producerStack);
    if (this.settings.outputs === 'remote_state') {
      return new DataTerraformRemoteState(scope, id, { organization, hostname, workspaces: { name: workspace } });
    }
    const outputs = new DataTfeOutputs(scope, id, {
      provider: this.tfeProvider(TerraformStack.of(scope)),
      organization,
      workspace,
    });
    // `values` is marked sensitive as a whole, which would hide every plan that uses it.
    return { getString: (name) => Token.asString(outputs.interpolationForAttribute(`nonsensitive_values.${name}`)) };
  }

  private tfeProvider(stack: TerraformStack): TfeProvider {
    let provider = this.tfeProviders.get(stack);
    if (!provider) {
      provider = new TfeProvider(stack, 'tfe', { hostname: this.settings.hostname, organization: this.settings.organization });
      stack.addOverride('terraform.required_providers.tfe.source', 'hashicorp/tfe');
      this.tfeProviders.set(stack, provider);
    }
    return provider;
  }

  complete(app: App): void {
    if (!this.settings.bootstrap.enabled) return;
    const workspaceStacks = app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack);
    const bootstrap = new TerraformCloudBootstrapStack(app, BOOTSTRAP_STACK, {
      settings: this.settings,
      roleName: this.naming.terraformCloudRole,
      stacks: workspaceStacks,
      protect: this.protect,
      boundary: this.boundary,
    });
    this.bootstrapState.attach(bootstrap);
    // Workspaces, their credentials and run triggers exist before any stack runs in them.
    for (const stack of workspaceStacks) stack.addDependency(bootstrap);
  }
}

function terraformCloudSettings(config: TerraformCloudBackendConfig, project: string): TerraformCloudSettings {
  const prefix = config.workspacePrefix ?? `${project}-`;
  return {
    hostname: config.hostname,
    organization: config.organization,
    project: config.project ?? project,
    outputs: config.outputs,
    bootstrap: config.bootstrap,
    workspace: (stackName) => `${prefix}${stackName}`,
  };
}

/** The one place that turns the configuration's `backend` section into a StateBackend. */
export function createBackend(config: PipelineConfig): StateBackend {
  const backend = config.backend;
  switch (backend.type) {
    case 'local':
      return new LocalStateBackend(backend.directory);
    case 's3':
      return new S3StateBackend(backend);
    case 'terraform-cloud':
      return new TerraformCloudStateBackend(
        terraformCloudSettings(backend, config.project),
        new Naming(config),
        new LocalStateBackend('terraform-state'),
        config.protectStatefulResources,
        {
          name: permissionsBoundaryName(config.project, BOOTSTRAP_STACK),
          productionDataTag: config.guardrails.productionDataTag,
        },
      );
  }
}
