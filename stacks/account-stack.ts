import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { StateBackend } from '../lib/backend';
import { ReadableStack } from '../lib/readable-stack';
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
export abstract class AccountStack<OutputName extends string = string> extends ReadableStack {
  readonly provider: AwsProvider;
  readonly account: AccountConfig;
  private readonly backend: StateBackend;

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
    // cdktf writes the short form "aws"; the full address reads unambiguously in the hand-off HCL.
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');
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
    // One token per output, so that equal references compare equal (e.g. when deduplicating role ARNs).
    const tokens = new Map<Name, string>();
    return {
      get: (name) => {
        if (!tokens.has(name)) tokens.set(name, state.getString(name));
        return tokens.get(name)!;
      },
    };
  }
}
