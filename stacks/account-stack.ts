import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { StateBackend } from '../lib/backend';
import { ReadableStack } from '../lib/readable-stack';
import type { AccountConfig, GuardrailsConfig } from '../lib/config/schema';
import { permissionsBoundaryName } from '../lib/naming';
import { BoundEveryRole, PermissionsBoundary } from '../modules/permissions-boundary';

export interface AccountStackProps {
  /** Stack name: directory in cdktf.out/stacks, state file and workspace name. */
  stackName: string;
  project: string;
  account: AccountConfig;
  /** Provider alias, named after the account's role in the topology. */
  providerAlias: string;
  backend: StateBackend;
  /** What the permissions boundary of every role in the stack denies. */
  guardrails: GuardrailsConfig;
}

/** Named outputs of a producer stack, read through `terraform_remote_state`. */
export interface RemoteOutputs<Name extends string> {
  get(name: Name): string;
}

/**
 * A stack that manages one AWS account: its own aliased provider (assumed
 * role, account guard, default tags), its backend, named outputs, readable
 * resource addresses, and a permissions boundary on every role it creates.
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
    // Created with the first role, so that a stack without roles has no unattached policy.
    let boundary: PermissionsBoundary | undefined;
    const boundaryArn = () => {
      boundary ??= new PermissionsBoundary(this, 'permissions_boundary', {
        provider: this.provider,
        accountId: props.account.id,
        name: permissionsBoundaryName(props.project, props.stackName),
        productionDataTag: props.guardrails.productionDataTag,
      });
      return boundary.arn;
    };
    Aspects.of(this).add(new BoundEveryRole(boundaryArn));
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
}
