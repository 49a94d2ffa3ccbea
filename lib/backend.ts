import { DataTfeOutputs } from '@cdktf/provider-tfe/lib/data-tfe-outputs';
import { TfeProvider } from '@cdktf/provider-tfe/lib/provider';
import {
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
import type { PlatformConfig, S3BackendConfig, TerraformCloudBackendConfig } from './config/schema';
import { PlatformNaming, permissionsBoundaryName } from './naming';

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
  /** The stack this backend needs besides backend blocks (Terraform Cloud's bootstrap), for main.ts to add. */
  readonly bootstrap?: TerraformCloudBootstrap;
}

/** The permissions boundary the bootstrap's run roles carry, like every role of the platform. */
export interface BootstrapBoundary {
  name: string;
  productionDataTag: { key: string; value: string };
}

/** What main.ts needs to add the Terraform Cloud bootstrap stack: its settings, and where its own state lives. */
export interface TerraformCloudBootstrap {
  stackName: string;
  settings: TerraformCloudSettings;
  /** Name of the role Terraform Cloud runs assume in every account. */
  roleName: string;
  platform: string;
  protect: boolean;
  boundary: BootstrapBoundary;
  /** The bootstrap's own state: local, because the workspaces it creates cannot hold it. */
  attachState(stack: TerraformStack): void;
}

/**
 * Terraform runs each stack in `cdktf.out/stacks/<stack>/`, so a path three
 * levels up is the project root. cdktf's own default is an absolute path of
 * the machine that synthesized, which breaks CI and every other machine.
 */
const PROJECT_ROOT_FROM_STACK_DIR = '../../..';

class LocalStateBackend implements StateBackend {
  constructor(
    private readonly directory: string,
    private readonly platform: string,
  ) {}

  /** `<directory>/<platform>/<stack>.tfstate`: two platforms in one project never share a state file. */
  private path(stackName: string): string {
    return `${PROJECT_ROOT_FROM_STACK_DIR}/${this.directory}/${this.platform}/${stackName}.tfstate`;
  }

  attach(stack: TerraformStack): void {
    new LocalBackend(stack, { path: this.path(stack.node.id) });
  }

  remoteState(scope: Construct, id: string, producerStack: string): OutputReader {
    return new DataTerraformRemoteStateLocal(scope, id, { path: this.path(producerStack) });
  }
}

class S3StateBackend implements StateBackend {
  constructor(
    private readonly config: S3BackendConfig,
    private readonly platform: string,
  ) {}

  /** Where the bucket is and who reads it: shared by the backend block and every remote-state read. */
  private location(stackName: string) {
    return {
      bucket: this.config.bucket,
      // The platform in the key: two platforms sharing a bucket and prefix never share a state.
      key: `${this.config.keyPrefix}/${this.platform}/${stackName}.tfstate`,
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
}

/** The Terraform Cloud settings with every default resolved. */
export interface TerraformCloudSettings {
  hostname: string;
  organization: string;
  project: string;
  outputs: TerraformCloudBackendConfig['outputs'];
  bootstrap: TerraformCloudBackendConfig['bootstrap'];
  /** The workspace that holds a stack's state: `<workspacePrefix><platform>-<stack>`. */
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

class TerraformCloudStateBackend implements StateBackend {
  private readonly tfeProviders = new WeakMap<TerraformStack, TfeProvider>();

  readonly bootstrap?: TerraformCloudBootstrap;

  constructor(
    private readonly settings: TerraformCloudSettings,
    bootstrap: TerraformCloudBootstrap | undefined,
  ) {
    this.bootstrap = bootstrap;
  }

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
}

function terraformCloudSettings(config: TerraformCloudBackendConfig, platform: string): TerraformCloudSettings {
  const prefix = config.workspacePrefix ?? '';
  return {
    hostname: config.hostname,
    organization: config.organization,
    project: config.project ?? platform,
    outputs: config.outputs,
    bootstrap: config.bootstrap,
    // The platform in every workspace name: two platforms in one organization never share a workspace.
    workspace: (stackName) => `${prefix}${platform}-${stackName}`,
  };
}

/** The one place that turns the platform's `backend` section into a StateBackend. */
export function createBackend(platform: Pick<PlatformConfig, 'name' | 'tooling' | 'backend' | 'protectStatefulResources' | 'guardrails'>): StateBackend {
  const backend = platform.backend;
  switch (backend.type) {
    case 'local':
      return new LocalStateBackend(backend.directory, platform.name);
    case 's3':
      return new S3StateBackend(backend, platform.name);
    case 'terraform-cloud': {
      const settings = terraformCloudSettings(backend, platform.name);
      const naming = new PlatformNaming(platform);
      const stackName = naming.terraformCloudBootstrapStack;
      const bootstrapState = new LocalStateBackend('terraform-state', platform.name);
      const bootstrap: TerraformCloudBootstrap | undefined = backend.bootstrap.enabled
        ? {
            stackName,
            settings,
            roleName: naming.terraformCloudRole,
            platform: platform.name,
            protect: platform.protectStatefulResources,
            boundary: {
              name: permissionsBoundaryName(platform.name, stackName),
              productionDataTag: platform.guardrails.productionDataTag,
            },
            attachState: (stack) => bootstrapState.attach(stack),
          }
        : undefined;
      return new TerraformCloudStateBackend(settings, bootstrap);
    }
  }
}
