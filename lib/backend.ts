import { DataTerraformRemoteStateLocal, LocalBackend, type TerraformRemoteState, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { BackendConfig } from './config/schema';

/**
 * Where stacks keep state, and how one stack reads another's outputs. The
 * configuration picks one backend for all stacks; nothing else in the code
 * knows which it is.
 */
export interface StateBackend {
  /** Configures the stack's own backend block. */
  attach(stack: TerraformStack): void;
  /** A `terraform_remote_state` data source reading the named producer stack. */
  remoteState(scope: Construct, id: string, producerStack: string): TerraformRemoteState;
  /** Where a stack's state lives, in words, for generated docs. */
  describe(stackName: string): string;
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

  remoteState(scope: Construct, id: string, producerStack: string): TerraformRemoteState {
    return new DataTerraformRemoteStateLocal(scope, id, { path: this.path(producerStack) });
  }

  describe(stackName: string): string {
    return `local file ${this.directory}/${stackName}.tfstate (relative to the project root)`;
  }
}

export function createBackend(config: BackendConfig): StateBackend {
  switch (config.type) {
    case 'local':
      return new LocalStateBackend(config.directory);
  }
}
