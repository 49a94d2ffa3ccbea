import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { AwsProvider, type AwsProviderAssumeRole } from '@cdktf/provider-aws/lib/provider';
import { Project } from '@cdktf/provider-tfe/lib/project';
import { TfeProvider } from '@cdktf/provider-tfe/lib/provider';
import { RunTrigger } from '@cdktf/provider-tfe/lib/run-trigger';
import { Team } from '@cdktf/provider-tfe/lib/team';
import { TeamAccess } from '@cdktf/provider-tfe/lib/team-access';
import { TeamToken } from '@cdktf/provider-tfe/lib/team-token';
import { Variable } from '@cdktf/provider-tfe/lib/variable';
import { Workspace } from '@cdktf/provider-tfe/lib/workspace';
import { WorkspaceSettings } from '@cdktf/provider-tfe/lib/workspace-settings';
import { Aspects, TerraformOutput, type TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import type { BootstrapBoundary, TerraformCloudSettings } from '../lib/backend';
import { ReadableStack } from '../lib/readable-stack';
import { defaultTags } from './account-stack';
import { Role } from '../modules/iam-role';
import { BoundEveryRole, PermissionsBoundary } from '../modules/permissions-boundary';

/** The audience Terraform Cloud puts in AWS workload identity tokens unless a workspace overrides it. */
const AWS_AUDIENCE = 'aws.workload.identity';
/** Terraform Cloud accepts at most this many source workspaces per workspace. */
const RUN_TRIGGER_SOURCES_MAX = 20;

export interface TerraformCloudBootstrapProps {
  settings: TerraformCloudSettings;
  /** The platform's name, for the default tags of the bootstrap's AWS providers. */
  platform: string;
  /** Name of the role the runs of the foundation's workspaces (platform, account-*) assume in their account. */
  roleName: string;
  /**
   * The run role of each pipeline stack's workspace, by stack name (one per
   * pipeline and account, lib/naming.ts); stacks not in it use `roleName`.
   */
  runRoles: Map<string, string>;
  /** The stacks that get a workspace each; their dependencies become run triggers. */
  stacks: TerraformStack[];
  /** prevent_destroy on the workspaces: deleting a workspace deletes the state in it. */
  protect: boolean;
  /** The permissions boundary the run role carries in each account, like every role of this project. */
  boundary: BootstrapBoundary;
}


/** An AWS account some workspace manages, and the Terraform roles its providers assume there. */
interface ManagedAccount {
  id: string;
  region: string;
  terraformRoles: string[];
  /** The stacks (one workspace each) whose providers work in this account. */
  stacks: string[];
  /** The Terraform roles each of those stacks' providers assume. */
  terraformRolesOf: Map<string, string[]>;
}

/** The account's OIDC provider, the provider that creates in the account, and its permissions boundary. */
interface AccountCredentials {
  provider: AwsProvider;
  providerArn: string;
  boundary: PermissionsBoundary;
}

/**
 * Prepares Terraform Cloud and the AWS accounts for the workspace stacks:
 * a project, one workspace per stack, run triggers along the stacks'
 * dependencies, access to outputs only for the workspaces that read them, and
 * dynamic AWS credentials (an OIDC provider and a role per account that only
 * that account's workspaces can assume, in plan and apply).
 *
 * It is applied once, before any workspace runs, by someone who can create
 * workspaces and assume the configured Terraform role in every account; its
 * own state is local because the workspaces it creates cannot hold it.
 */
export class TerraformCloudBootstrapStack extends ReadableStack {
  constructor(scope: Construct, id: string, props: TerraformCloudBootstrapProps) {
    super(scope, id);
    const { settings } = props;
    const tfe = new TfeProvider(this, 'tfe', { hostname: settings.hostname, organization: settings.organization });
    this.addOverride('terraform.required_providers.tfe.source', 'hashicorp/tfe');
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');

    const project = new Project(this, 'project', {
      provider: tfe,
      name: settings.project,
      description: `Workspaces of the cdktf stacks ${props.stacks.map((s) => s.node.id).join(', ')}`,
    });

    const names = props.stacks.map((stack) => stack.node.id);
    const consumersOf = new Map<string, string[]>(names.map((name) => [name, []]));
    for (const stack of props.stacks) {
      const producers = dependencyNames(stack);
      if (producers.length > RUN_TRIGGER_SOURCES_MAX) {
        throw new Error(
          `stack ${stack.node.id} depends on ${producers.length} stacks; a Terraform Cloud workspace accepts run triggers ` +
            `from at most ${RUN_TRIGGER_SOURCES_MAX} workspaces`,
        );
      }
      for (const producer of producers) consumersOf.get(producer)?.push(stack.node.id);
    }

    const workspaces = new Map<string, Workspace>();
    for (const name of names) {
      workspaces.set(
        name,
        new Workspace(this, `workspace_${snake(name)}`, {
          provider: tfe,
          name: settings.workspace(name),
          projectId: project.id,
          description: `cdktf stack ${name}`,
          autoApply: settings.bootstrap.autoApply,
          autoApplyRunTrigger: settings.bootstrap.autoApply,
          queueAllRuns: false,
          ...(settings.bootstrap.terraformVersion ? { terraformVersion: settings.bootstrap.terraformVersion } : {}),
          lifecycle: { preventDestroy: props.protect },
        }),
      );
    }
    const workspaceOf = (name: string) => workspaces.get(name)!;

    for (const name of names) {
      const readers = consumersOf.get(name)!;
      new WorkspaceSettings(this, `workspace_${snake(name)}_settings`, {
        provider: tfe,
        workspaceId: workspaceOf(name).id,
        executionMode: 'remote',
        // Never the whole organization; with tfe_outputs not even the consumers read the state itself.
        globalRemoteState: false,
        remoteStateConsumerIds: settings.outputs === 'remote_state' ? readers.map((r) => workspaceOf(r).id) : [],
      });
    }

    for (const stack of props.stacks) {
      for (const producer of dependencyNames(stack)) {
        new RunTrigger(this, `run_${snake(stack.node.id)}_after_${snake(producer)}`, {
          provider: tfe,
          workspaceId: workspaceOf(stack.node.id).id,
          sourceableId: workspaceOf(producer).id,
        });
      }
    }

    if (settings.outputs === 'tfe_outputs') this.grantOutputReads(tfe, settings, consumersOf, workspaceOf);

    for (const account of managedAccounts(props.stacks)) {
      const credentials = this.accountCredentials(account, settings, props);
      // One run role per group of the account's workspaces: the foundation's, and each pipeline's. A trust policy
      // names exact subjects, so its size depends on one group, never on the number of pipelines (docs/security.md).
      const groups = new Map<string, string[]>();
      for (const name of account.stacks) {
        const roleName = props.runRoles.get(name) ?? props.roleName;
        groups.set(roleName, [...(groups.get(roleName) ?? []), name]);
      }
      for (const [roleName, stacks] of groups) {
        const id = roleName === props.roleName ? account.id : `${account.id}_${snake(roleName)}`;
        const terraformRoles = [...new Set(stacks.flatMap((name) => account.terraformRolesOf.get(name)!))].sort();
        const role = this.dynamicCredentialsRole(id, roleName, stacks, terraformRoles, credentials, settings);
        this.useRunRole(tfe, account, stacks, role, workspaceOf);
        new TerraformOutput(this, `terraform_cloud_role_arn_${id}`, {
          value: role.arn,
          description: `Role the Terraform Cloud runs of ${stacks.join(', ')} assume in account ${account.id}`,
        });
      }
    }

    new TerraformOutput(this, 'project_id', { value: project.id, description: 'Terraform Cloud project of the workspaces' });
    for (const name of names) {
      new TerraformOutput(this, `workspace_id_${snake(name)}`, {
        value: workspaceOf(name).id,
        description: `Workspace ${settings.workspace(name)} of stack ${name}`,
      });
    }
  }

  /** Dynamic credentials in each workspace of `stacks`: the run role to assume, and no static keys. */
  private useRunRole(
    tfe: TfeProvider,
    account: ManagedAccount,
    stacks: string[],
    role: Role,
    workspaceOf: (name: string) => Workspace,
  ): void {
    for (const name of stacks) {
      const workspaceId = workspaceOf(name).id;
      new Variable(this, `workspace_${snake(name)}_aws_provider_auth`, {
        provider: tfe,
        workspaceId,
        category: 'env',
        key: 'TFC_AWS_PROVIDER_AUTH',
        value: 'true',
        description: 'Dynamic AWS credentials: no static keys in this workspace',
      });
      new Variable(this, `workspace_${snake(name)}_aws_run_role_arn`, {
        provider: tfe,
        workspaceId,
        category: 'env',
        key: 'TFC_AWS_RUN_ROLE_ARN',
        value: role.arn,
        description: `Role the run assumes in account ${account.id} before the provider assumes the Terraform role`,
      });
    }
  }

  /**
   * A team that may read the outputs (and nothing else) of the workspaces
   * that have consumers, and its token in every consuming workspace, where
   * the tfe provider of `tfe_outputs` picks it up from TFE_TOKEN.
   */
  private grantOutputReads(
    tfe: TfeProvider,
    settings: TerraformCloudSettings,
    consumersOf: Map<string, string[]>,
    workspaceOf: (name: string) => Workspace,
  ): void {
    const producers = [...consumersOf.keys()].filter((name) => consumersOf.get(name)!.length > 0);
    if (producers.length === 0) return;
    const team = new Team(this, 'output_readers', {
      provider: tfe,
      name: `${settings.project}-output-readers`,
      visibility: 'secret',
    });
    for (const producer of producers) {
      new TeamAccess(this, `output_readers_${snake(producer)}`, {
        provider: tfe,
        teamId: team.id,
        workspaceId: workspaceOf(producer).id,
        permissions: [
          {
            runs: 'read',
            variables: 'none',
            stateVersions: 'read-outputs',
            sentinelMocks: 'none',
            workspaceLocking: false,
            runTasks: false,
          },
        ],
      });
    }
    const token = new TeamToken(this, 'output_readers_token', {
      provider: tfe,
      teamId: team.id,
      description: 'Read by tfe_outputs in the consuming workspaces',
    });
    const consumers = [...new Set([...consumersOf.values()].flat())].sort();
    for (const consumer of consumers) {
      new Variable(this, `workspace_${snake(consumer)}_tfe_token`, {
        provider: tfe,
        workspaceId: workspaceOf(consumer).id,
        category: 'env',
        key: 'TFE_TOKEN',
        value: token.token,
        sensitive: true,
        description: 'Team token that may only read the outputs of the workspaces this one depends on',
      });
    }
  }

  /** The account's AWS provider, OIDC provider and permissions boundary, shared by its run roles. */
  private accountCredentials(
    account: ManagedAccount,
    settings: TerraformCloudSettings,
    { boundary, platform }: Pick<TerraformCloudBootstrapProps, 'boundary' | 'platform'>,
  ): AccountCredentials {
    const provider = new AwsProvider(this, `aws_${account.id}`, {
      alias: `account_${account.id}`,
      region: account.region,
      allowedAccountIds: [account.id],
      assumeRole: [{ roleArn: account.terraformRoles[0], sessionName: `cdktf-${this.node.id}` }],
      // The same tags as every other stack's resources.
      defaultTags: [{ tags: defaultTags(platform, this.node.id) }],
    });
    const providerArn = settings.bootstrap.createOidcProvider
      ? new IamOpenidConnectProvider(this, `oidc_${account.id}`, {
          provider,
          url: `https://${settings.hostname}`,
          clientIdList: [AWS_AUDIENCE],
        }).arn
      : `arn:aws:iam::${account.id}:oidc-provider/${settings.hostname}`;
    // Under a per-account scope the boundary keeps the address an account stack gives it, prefixed by the account.
    const policy = new PermissionsBoundary(new Construct(this, `account_${account.id}`), 'permissions_boundary', {
      provider,
      accountId: account.id,
      name: boundary.name,
      productionDataTag: boundary.productionDataTag,
    });
    return { provider, providerArn, boundary: policy };
  }

  /**
   * A run role that only the workspaces of `stacks` may assume, in plan and
   * apply, and that may assume only their Terraform roles. The subjects are
   * exact (`organization:<org>:project:<project>:workspace:<name>:run_phase:<phase>`,
   * https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/workload-identity-tokens):
   * no pattern, because workspace names (`<platform>-<stack>`) do not say
   * which account a stack works in, and hyphens make suffixes ambiguous.
   */
  private dynamicCredentialsRole(
    id: string,
    roleName: string,
    stacks: string[],
    terraformRoles: string[],
    credentials: AccountCredentials,
    settings: TerraformCloudSettings,
  ): Role {
    const { provider, providerArn } = credentials;
    const workspaces = stacks.map((name) => settings.workspace(name));
    const subjects = workspaces.flatMap((workspace) =>
      ['plan', 'apply'].map(
        (phase) =>
          `organization:${settings.organization}:project:${settings.project}:workspace:${workspace}:run_phase:${phase}`,
      ),
    );
    const role = new Role(this, `terraform_cloud_role_${id}`, {
      provider,
      name: roleName,
      description: `Assumed by Terraform Cloud runs of ${workspaces.join(', ')}`,
      trust: { kind: 'web-identity', providerArn, issuerHost: settings.hostname, audience: AWS_AUDIENCE, subjects },
      statements: [{ sid: 'AssumesTerraformRole', actions: ['sts:AssumeRole'], resources: terraformRoles }],
    });
    Aspects.of(role).add(new BoundEveryRole(() => credentials.boundary.arn));
    return role;
  }
}

function dependencyNames(stack: TerraformStack): string[] {
  return [...new Set(stack.dependencies.map((d) => d.node.id))].sort();
}

function snake(name: string): string {
  return name.replace(/-/g, '_');
}

/**
 * The accounts the stacks manage, read from their AWS providers. A
 * workspace's dynamic credentials are one role, so a stack must stay within
 * one account.
 */
function managedAccounts(stacks: TerraformStack[]): ManagedAccount[] {
  const accounts = new Map<string, ManagedAccount>();
  for (const stack of stacks) {
    const providers = stack.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider);
    const ids = [...new Set(providers.flatMap((p) => p.allowedAccountIds ?? []))];
    if (ids.length !== 1) {
      throw new Error(`stack ${stack.node.id} manages ${ids.length} AWS accounts; dynamic credentials need exactly one per workspace`);
    }
    const [id] = ids;
    const account: ManagedAccount = accounts.get(id) ?? {
      id,
      region: providers[0].region!,
      terraformRoles: [],
      stacks: [],
      terraformRolesOf: new Map(),
    };
    const own: string[] = [];
    for (const provider of providers) {
      const assumed = provider.assumeRole;
      const roles = Token.isUnresolved(assumed) ? [] : ((assumed as AwsProviderAssumeRole[] | undefined) ?? []);
      if (!roles.some((role) => role.roleArn)) {
        throw new Error(`stack ${stack.node.id}: dynamic credentials need every AWS provider to assume a Terraform role`);
      }
      own.push(...roles.flatMap((role) => (role.roleArn ? [role.roleArn] : [])));
    }
    account.terraformRoles.push(...own);
    account.terraformRolesOf.set(stack.node.id, own);
    account.stacks.push(stack.node.id);
    accounts.set(id, account);
  }
  return [...accounts.values()].map((account) => ({
    ...account,
    terraformRoles: [...new Set(account.terraformRoles)].sort(),
    stacks: account.stacks.sort(),
  }));
}
