import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { type TerraformElement, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct, type IConstruct, Node } from 'constructs';
import type { StateBackend } from '../lib/backend';
import type { AccountConfig } from '../lib/config/schema';

export interface AccountStackProps {
  /** Stack name: directory in cdktf.out/stacks, state file and workspace name. */
  stackName: string;
  project: string;
  account: AccountConfig;
  /** Provider alias, named after the account's role in the topology. */
  providerAlias: string;
  backend: StateBackend;
}

/** Named outputs of a producer stack, read through `terraform_remote_state`. */
export interface RemoteOutputs<Name extends string> {
  get(name: Name): string;
}

/**
 * A stack that manages one AWS account: its own aliased provider (assumed
 * role, account guard, default tags), its backend, named outputs, and
 * readable resource addresses.
 */
export abstract class AccountStack<OutputName extends string = string> extends TerraformStack {
  readonly provider: AwsProvider;
  readonly account: AccountConfig;
  private readonly backend: StateBackend;
  private readonly logicalIds = new Map<string, string>();

  protected constructor(scope: Construct, props: AccountStackProps) {
    super(scope, props.stackName);
    this.account = props.account;
    this.backend = props.backend;
    this.provider = new AwsProvider(this, 'aws', {
      alias: props.providerAlias,
      region: props.account.region,
      allowedAccountIds: [props.account.id],
      assumeRole: [{ roleArn: props.account.role, sessionName: `cdktf-${props.stackName}` }],
      defaultTags: [{ tags: { project: props.project, stack: props.stackName, 'managed-by': 'cdktf' } }],
    });
    props.backend.attach(this);
  }

  /** Publishes a value for other stacks under a stable name. */
  protected publish(name: OutputName, value: string, description: string): void {
    new TerraformOutput(this, name, { value, description });
  }

  /**
   * Reads a producer stack's named outputs through remote state, and records
   * the dependency so that `cdktf deploy` and the apply order put the
   * producer first.
   */
  protected readOutputs<Name extends string>(producer: AccountStack<Name>): RemoteOutputs<Name> {
    this.addDependency(producer);
    const producerName = producer.node.id;
    const state = this.backend.remoteState(this, `remote_${producerName.replace(/-/g, '_')}`, producerName);
    return { get: (name) => state.getString(name) };
  }

  /**
   * Addresses are the construct path below the stack joined with "_", with no
   * hash suffix (`aws_kms_key.artifact_store_key`), so the HCL reads well and
   * the address changes only when a construct is renamed or moved. `Default`
   * children take their parent's name.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const path = node.scopes
      .slice(node.scopes.indexOf(this) + 1)
      .map((scope: IConstruct) => scope.node.id)
      .filter((id) => id !== 'Default');
    const logicalId = path.join('_').replace(/[^A-Za-z0-9_-]/g, '_');
    const owner = this.logicalIds.get(logicalId);
    if (owner !== undefined && owner !== node.path) {
      throw new Error(`${this.node.id}: address "${logicalId}" is used by both ${owner} and ${node.path}`);
    }
    this.logicalIds.set(logicalId, node.path);
    return logicalId;
  }
}
