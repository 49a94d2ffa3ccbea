import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { StateBackend } from '../lib/backend';
import { ReadableStack } from '../lib/readable-stack';
import type { AccountConfig, GuardrailsConfig } from '../lib/config/schema';
import { permissionsBoundaryName } from '../lib/naming';
import { BoundEveryRole, type BoundaryExtension, PermissionsBoundary } from '../modules/permissions-boundary';

export interface AccountStackProps {
  /** Stack name: directory in cdktf.out/stacks, state file and workspace name. */
  stackName: string;
  /** The platform's name: prefixes the boundary and tags every resource. */
  platform: string;
  /** The pipeline the stack belongs to, if any (the foundation stacks belong to none). */
  pipeline?: string;
  account: AccountConfig;
  /** Provider alias, named after the account's role in the topology. */
  providerAlias: string;
  backend: StateBackend;
  /** What the permissions boundary of every role in the stack denies. */
  guardrails: GuardrailsConfig;
}

/** The tags every AWS provider of the platform puts on every resource (the Terraform Cloud bootstrap's included). */
export function defaultTags(platform: string, stack: string, pipeline?: string): Record<string, string> {
  return { platform, ...(pipeline ? { pipeline } : {}), stack, 'managed-by': 'cdktf' };
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
  private readonly stackProps: AccountStackProps;
  private readonly regionalProviders = new Map<string, AwsProvider>();
  private readonly boundaryExtension: BoundaryExtension = { services: [], passRoleServices: [] };

  protected constructor(scope: Construct, props: AccountStackProps) {
    super(scope, props.stackName);
    this.account = props.account;
    this.backend = props.backend;
    this.stackProps = props;
    this.provider = this.newProvider('aws', props.providerAlias, props.account.region);
    props.backend.attach(this);
    // cdktf writes the short form "aws"; the full address reads unambiguously in the hand-off HCL.
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');
    // Created with the first role, so that a stack without roles has no unattached policy.
    let boundary: PermissionsBoundary | undefined;
    const boundaryArn = () => {
      boundary ??= new PermissionsBoundary(this, 'permissions_boundary', {
        provider: this.provider,
        accountId: props.account.id,
        name: permissionsBoundaryName(props.platform, props.stackName),
        productionDataTag: props.guardrails.productionDataTag,
        extension: this.boundaryExtension,
      });
      return boundary.arn;
    };
    Aspects.of(this).add(new BoundEveryRole(boundaryArn));
  }

  /**
   * Lets the stack's boundary allow what roles configured by the user need
   * (read when the boundary is created at synthesis, after every construct).
   */
  protected extendBoundary(extension: BoundaryExtension): void {
    this.boundaryExtension.services.push(...extension.services);
    this.boundaryExtension.passRoleServices.push(...extension.passRoleServices);
  }

  /**
   * The provider for another region of the same account (alias
   * `<alias>-<region>`), with the same role, account guard and default tags;
   * the account's own region gets the stack's provider.
   */
  providerFor(region: string): AwsProvider {
    if (region === this.account.region) return this.provider;
    let provider = this.regionalProviders.get(region);
    if (!provider) {
      provider = this.newProvider(`aws_${region.replace(/-/g, '_')}`, `${this.stackProps.providerAlias}-${region}`, region);
      this.regionalProviders.set(region, provider);
    }
    return provider;
  }

  private newProvider(id: string, alias: string, region: string): AwsProvider {
    const { account, stackName, platform, pipeline } = this.stackProps;
    return new AwsProvider(this, id, {
      alias,
      region,
      allowedAccountIds: [account.id],
      assumeRole: [{ roleArn: account.role, sessionName: `cdktf-${stackName}` }],
      defaultTags: [{ tags: defaultTags(platform, stackName, pipeline) }],
    });
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
