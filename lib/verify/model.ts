import type { PolicyJson } from './policy-render';
import { DEFAULT_CLOUD_HOST, type Placement, Resolver } from './resolve';
import { address, allBlocks, type Block, type SynthesizedApp, type TerraformJson } from './synthesized';

/** A rendered policy and where it came from. */
export interface Policy {
  /** Name as IAM shows it (inline policy name, managed policy ARN) or the kind of resource policy. */
  name: string;
  document: PolicyJson;
  /** `stack: address` of the block that attaches it. */
  origin: string;
}

export interface RoleModel {
  arn: string;
  name: string;
  account: string;
  trust: Policy;
  /** Inline and attached managed policies. */
  identity: Policy[];
  boundary?: Policy;
}

/** A stack whose state and runs are in a Terraform Cloud workspace, as its `cloud` block says. */
export interface WorkspaceStack {
  stack: string;
  hostname: string;
  organization: string;
  project: string;
  workspace: string;
  /** The one account the stack's AWS providers work in. */
  account: string;
  /** The roles its AWS providers assume there. */
  terraformRoles: string[];
}

export interface ResourcePolicyModel {
  /** What the policy protects, e.g. `bucket`; shown in reports and the diagram. */
  kind: string;
  arn: string;
  account: string;
  policy: Policy;
  /** Whether a request on `resourceArn` is governed by this policy (objects of a bucket, the key itself...). */
  covers(resourceArn: string): boolean;
}

interface ResourcePolicyAttachment {
  kind: string;
  /** The argument that holds the policy JSON; absent means the resource's own default policy applies. */
  policyArgument: string;
  /** The ARN of the resource the policy governs. */
  arn(resolver: Resolver, block: Block, placement: Placement): string;
  /** The policy AWS applies when the argument is not set. */
  defaultPolicy?(placement: Placement): PolicyJson;
  covers?(policyArn: string, resourceArn: string): boolean;
}

/**
 * Resource types that carry a resource-based policy. A policy document
 * attached to a type missing here fails the run (see `unattachedDocuments`),
 * so a new kind of resource policy cannot be skipped silently.
 */
const RESOURCE_POLICIES: Record<string, ResourcePolicyAttachment> = {
  aws_s3_bucket_policy: {
    kind: 'bucket',
    policyArgument: 'policy',
    arn: (r, b) => `arn:aws:s3:::${r.resolve(b.stack, b.body.bucket)}`,
    covers: (bucket, resource) => resource === bucket || resource.startsWith(`${bucket}/`),
  },
  aws_kms_key: keyPolicy('key'),
  // A replica of a multi-region key has a policy of its own: each region grants the roles that work there.
  aws_kms_replica_key: keyPolicy('replica key'),
  aws_cloudwatch_event_bus_policy: {
    kind: 'event bus',
    policyArgument: 'policy',
    arn: (r, b, { account, region }) => {
      const bus = r.resolve(b.stack, b.body.event_bus_name ?? 'default');
      return bus.startsWith('arn:') ? bus : `arn:aws:events:${region}:${account}:event-bus/${bus}`;
    },
  },
  aws_sns_topic_policy: {
    kind: 'topic',
    policyArgument: 'policy',
    arn: (r, b) => r.resolve(b.stack, b.body.arn),
  },
};

/** A KMS key's policy: without a policy argument AWS attaches the default, which lets the account use the key through IAM. */
function keyPolicy(kind: string): ResourcePolicyAttachment {
  return {
    kind,
    policyArgument: 'policy',
    arn: (r, b) => r.resolve(b.stack, `\${${address(b)}.arn}`),
    defaultPolicy: ({ account }) => defaultKeyPolicy(account),
  };
}

/** The key policy AWS attaches by default: the account may use and manage the key through IAM. */
export function defaultKeyPolicy(account: string): PolicyJson {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DefaultKeyPolicy',
        Effect: 'Allow',
        Principal: { AWS: [`arn:aws:iam::${account}:root`] },
        Action: ['kms:*'],
        Resource: ['*'],
      },
    ],
  };
}

/**
 * Every principal and resource policy of the synthesized stacks, rendered
 * with references resolved: what the access proof evaluates and the diagram
 * draws.
 */
export class AccessModel {
  readonly resolver: Resolver;
  readonly roles = new Map<string, RoleModel>();
  readonly resourcePolicies: ResourcePolicyModel[] = [];
  /** Managed policies by ARN. */
  readonly managedPolicies = new Map<string, Policy>();
  /** Bucket name → the account that owns it. */
  readonly bucketAccounts = new Map<string, string>();
  /** Alias ARN → key ARN. */
  readonly keyAliases = new Map<string, string>();
  /** Every account a provider of some stack works in. */
  readonly accounts = new Set<string>();
  /** The stacks kept in Terraform Cloud workspaces (none on other backends). */
  readonly workspaceStacks: WorkspaceStack[] = [];
  /** Every `aws_s3_bucket_logging`: which bucket logs into which, under which prefix. */
  readonly accessLogging: Array<{ bucket: string; targetBucket: string; prefix: string; origin: string }> = [];
  /** The role of every pipeline action that names one, with the pipeline's own role. */
  readonly pipelineActionRoles: Array<{ pipelineRoleArn: string; action: string; roleArn: string }> = [];
  private readonly blocks: Block[];

  constructor(app: SynthesizedApp) {
    this.resolver = new Resolver(app);
    for (const json of Object.values(app.stacks)) {
      for (const provider of json.provider?.aws ?? []) {
        for (const id of provider.allowed_account_ids ?? []) this.accounts.add(id);
      }
    }
    for (const [stack, json] of Object.entries(app.stacks)) {
      const workspace = workspaceStack(stack, json);
      if (workspace) this.workspaceStacks.push(workspace);
    }
    const blocks = allBlocks(app);
    this.blocks = blocks;
    const placed = (b: Block) => this.resolver.placement(b.stack, b.body);
    const where = (b: Block) => `${b.stack}: ${address(b)}`;
    const policyOf = (b: Block, argument: string, name: string): Policy => ({
      name,
      document: this.resolver.policyAttribute(b.stack, b.body[argument], `${address(b)}.${argument}`),
      origin: where(b),
    });

    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_iam_policy')) {
      const arn = this.resolver.resolve(b.stack, `\${${address(b)}.arn}`);
      this.managedPolicies.set(arn, policyOf(b, 'policy', arn));
    }
    const pendingAttachments: Array<{ role: RoleModel; policyArn: string; argument: 'identity' | 'boundary'; origin: string }> =
      [];
    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_iam_role')) {
      const { account } = placed(b);
      const role: RoleModel = {
        arn: this.resolver.resolve(b.stack, `\${${address(b)}.arn}`),
        name: this.resolver.resolve(b.stack, b.body.name),
        account,
        trust: policyOf(b, 'assume_role_policy', 'trust policy'),
        identity: (b.body.inline_policy ?? []).map((p: TerraformJson) => ({
          name: p.name,
          document: this.resolver.policyAttribute(b.stack, p.policy, `${address(b)}.inline_policy`),
          origin: where(b),
        })),
      };
      for (const arn of b.body.managed_policy_arns ?? []) {
        pendingAttachments.push({ role, policyArn: this.resolver.resolve(b.stack, arn), argument: 'identity', origin: where(b) });
      }
      if (b.body.permissions_boundary) {
        const policyArn = this.resolver.resolve(b.stack, b.body.permissions_boundary);
        pendingAttachments.push({ role, policyArn, argument: 'boundary', origin: where(b) });
      }
      this.roles.set(role.arn, role);
    }
    const roleNamed = (b: Block): RoleModel => {
      const { account } = placed(b);
      const name = this.resolver.resolve(b.stack, b.body.role);
      const role = [...this.roles.values()].find((r) => r.account === account && r.name === name);
      if (!role) throw new Error(`${where(b)} attaches a policy to role "${name}", which no stack creates in account ${account}`);
      return role;
    };
    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_iam_role_policy')) {
      roleNamed(b).identity.push(policyOf(b, 'policy', this.resolver.resolve(b.stack, b.body.name)));
    }
    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_iam_role_policy_attachment')) {
      pendingAttachments.push({
        role: roleNamed(b),
        policyArn: this.resolver.resolve(b.stack, b.body.policy_arn),
        argument: 'identity',
        origin: where(b),
      });
    }
    for (const { role, policyArn, argument, origin } of pendingAttachments) {
      const policy = this.managedPolicies.get(policyArn);
      if (!policy) {
        throw new Error(
          `${origin} attaches ${policyArn}, which no stack defines: the verifier evaluates only policies it can read`,
        );
      }
      if (argument === 'boundary') role.boundary = policy;
      else role.identity.push(policy);
    }

    for (const b of blocks) {
      const attachment = b.kind === 'resource' ? RESOURCE_POLICIES[b.type] : undefined;
      if (!attachment) continue;
      const placement = placed(b);
      const arn = attachment.arn(this.resolver, b, placement);
      const text = b.body[attachment.policyArgument];
      const policy: Policy =
        text === undefined && attachment.defaultPolicy
          ? { name: `default ${attachment.kind} policy`, document: attachment.defaultPolicy(placement), origin: where(b) }
          : policyOf(b, attachment.policyArgument, `${attachment.kind} policy`);
      const covers = attachment.covers;
      this.resourcePolicies.push({
        kind: attachment.kind,
        arn,
        account: placement.account,
        policy,
        covers: (resource) => (covers ? covers(arn, resource) : resource === arn),
      });
    }

    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_s3_bucket')) {
      this.bucketAccounts.set(this.resolver.resolve(b.stack, b.body.bucket), placed(b).account);
    }
    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_kms_alias')) {
      const keyId = this.resolver.resolve(b.stack, b.body.target_key_id);
      const { account, region } = placed(b);
      // Replicas of a multi-region key share its id: the alias names the key of its own region.
      const key = this.resourcePolicies.find(
        (p) => p.kind.endsWith('key') && (p.arn === keyId || p.arn === `arn:aws:kms:${region}:${account}:key/${keyId}`),
      );
      if (!key) throw new Error(`${where(b)} targets key ${keyId}, which no stack creates in ${account} ${region}`);
      this.keyAliases.set(this.resolver.resolve(b.stack, `\${${address(b)}.arn}`), key.arn);
    }
    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_s3_bucket_logging')) {
      this.accessLogging.push({
        bucket: this.resolver.resolve(b.stack, b.body.bucket),
        targetBucket: this.resolver.resolve(b.stack, b.body.target_bucket),
        prefix: this.resolver.resolve(b.stack, b.body.target_prefix ?? ''),
        origin: where(b),
      });
    }
    for (const b of blocks.filter((x) => x.kind === 'resource' && x.type === 'aws_codepipeline')) {
      const pipelineRoleArn = this.resolver.resolve(b.stack, b.body.role_arn);
      for (const stage of b.body.stage ?? []) {
        for (const action of stage.action ?? []) {
          if (action.role_arn) {
            this.pipelineActionRoles.push({
              pipelineRoleArn,
              action: `${stage.name}/${action.name}`,
              roleArn: this.resolver.resolve(b.stack, action.role_arn),
            });
          }
        }
      }
    }

    const unattached = blocks.filter(
      (b) => b.kind === 'data' && b.type === 'aws_iam_policy_document' && !this.resolver.hasRendered(b.stack, b.name),
    );
    if (unattached.length > 0) {
      throw new Error(
        `policy documents the verifier does not know how to evaluate (attached to resource types it does not model; ` +
          `add them to lib/verify/model.ts): ${unattached.map(where).join(', ')}`,
      );
    }
  }

  role(arn: string): RoleModel {
    const role = this.roles.get(arn);
    if (!role) throw new Error(`no stack creates role ${arn}`);
    return role;
  }

  /** The ARNs of the resources of one type that the stacks create, in a stable order. */
  createdArns(type: string): string[] {
    return this.blocks
      .filter((b) => b.kind === 'resource' && b.type === type)
      .map((b) => this.resolver.resolve(b.stack, `\${${address(b)}.arn}`));
  }

  /** A KMS alias ARN stands for its key, as KMS authorizes against the key. */
  canonicalResource(resourceArn: string): string {
    return this.keyAliases.get(resourceArn) ?? resourceArn;
  }

  /** The resource-based policy that governs a request, if any: the trust policy for sts:AssumeRole. */
  resourcePolicyFor(action: string, resourceArn: string): Policy | undefined {
    if (action.toLowerCase().startsWith('sts:assumerole')) return this.roles.get(resourceArn)?.trust;
    return this.resourcePolicies.find((p) => p.covers(resourceArn))?.policy;
  }

  /** The account that owns a resource: from the ARN, or for S3 from the stack that creates the bucket. */
  resourceAccount(resourceArn: string): string {
    const fromArn = resourceArn.split(':')[4];
    if (fromArn) return fromArn;
    const bucket = /^arn:aws:s3:::([^/]+)/.exec(resourceArn)?.[1];
    const owner = bucket ? this.bucketAccounts.get(bucket) : undefined;
    if (!owner) throw new Error(`cannot tell which account owns ${resourceArn}: no stack creates it`);
    return owner;
  }

  /** Every rendered policy: identity, trust, boundary and resource policies. */
  allPolicies(): Policy[] {
    const seen = new Set<Policy>();
    for (const role of this.roles.values()) {
      seen.add(role.trust);
      role.identity.forEach((p) => seen.add(p));
      if (role.boundary) seen.add(role.boundary);
    }
    this.managedPolicies.forEach((p) => seen.add(p));
    this.resourcePolicies.forEach((p) => seen.add(p.policy));
    return [...seen];
  }
}

/** The workspace a stack's `cloud` block keeps it in, with the account and roles of its AWS providers. */
function workspaceStack(stack: string, json: TerraformJson): WorkspaceStack | undefined {
  const cloud = json.terraform?.cloud;
  if (!cloud) return undefined;
  const providers: TerraformJson[] = json.provider?.aws ?? [];
  const accounts = [...new Set(providers.flatMap((p) => p.allowed_account_ids ?? []))];
  if (accounts.length !== 1) {
    throw new Error(`${stack}: a workspace's runs get credentials for one account, but its providers work in ${accounts.length}`);
  }
  // Without a project the workspace is in the organization's default project, whose name the output does not show.
  if (!cloud.workspaces?.name || !cloud.workspaces.project) {
    throw new Error(`${stack}: the cloud block must name the workspace and its project (the run token's subject names both)`);
  }
  return {
    stack,
    hostname: cloud.hostname ?? DEFAULT_CLOUD_HOST,
    organization: cloud.organization,
    project: cloud.workspaces.project,
    workspace: cloud.workspaces.name,
    account: accounts[0],
    terraformRoles: [
      ...new Set(providers.flatMap((p) => (p.assume_role ?? []).map((r: TerraformJson) => r.role_arn as string))),
    ].sort(),
  };
}
