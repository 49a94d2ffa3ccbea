import type { TerraformJson } from '../support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */

/**
 * A read-only view of every synthesized stack for the security rules: each
 * policy document classified by what uses it, each resource by address, and
 * references followed across stacks through remote state. Nothing here knows
 * today's resource names, so new resources and stacks are covered as they
 * appear.
 */

export interface Statement {
  sid: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  principals: Array<{ type: string; identifiers: string[] }>;
  condition: Array<{ test: string; variable: string; values: string[] }>;
}

export type PolicyKind = 'trust' | 'identity' | 'boundary' | 'resource';

export interface Policy {
  stack: string;
  /** `data.aws_iam_policy_document.<name>`. */
  address: string;
  kind: PolicyKind;
  /** Addresses of the resources whose policy this is, e.g. `aws_kms_key.artifact_store_key`. */
  usedBy: string[];
  /** Resource type of the (first) user, e.g. `aws_kms_key`. */
  userType: string;
  statements: Statement[];
}

export interface Resource {
  stack: string;
  type: string;
  name: string;
  address: string;
  body: any;
}

const DOCUMENT_REFERENCE = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/;
/** A value read from another stack: remote state (local, S3, Terraform Cloud) or `tfe_outputs`. */
const REMOTE_OUTPUT = /^\$\{data\.(terraform_remote_state|tfe_outputs)\.([\w-]+)\.(?:outputs|values|nonsensitive_values)\.([\w-]+)\}$/;

/** Where a stack keeps its state: its local or S3 state file's stack name, or its workspace. */
function stateLocation(stack: any): string | undefined {
  const { backend, cloud } = stack.terraform ?? {};
  const file = backend?.local?.path ?? backend?.s3?.key;
  if (file) return /([\w-]+)\.tfstate$/.exec(file)?.[1];
  return cloud?.workspaces?.name ?? backend?.remote?.workspaces?.name;
}

/** Which state a remote-state or tfe_outputs data source reads, in the terms of `stateLocation`. */
function readLocation(kind: string, data: any): string | undefined {
  if (kind === 'tfe_outputs') return data?.workspace;
  const file = data?.config?.path ?? data?.config?.key;
  if (file) return /([\w-]+)\.tfstate$/.exec(file)?.[1];
  return data?.config?.workspaces?.name;
}
const RESOURCE_ATTRIBUTE = /^\$\{([a-z0-9_]+)\.([\w-]+)\.([\w]+)\}$/;

/** Policy attributes of the resources that may use a policy document, and what kind of policy each is. */
const POLICY_ATTRIBUTES: Record<string, Record<string, PolicyKind>> = {
  aws_iam_role: { assume_role_policy: 'trust' },
  aws_iam_role_policy: { policy: 'identity' },
  aws_iam_policy: { policy: 'identity' },
  aws_kms_key: { policy: 'resource' },
  aws_kms_replica_key: { policy: 'resource' },
  aws_s3_bucket_policy: { policy: 'resource' },
  aws_sns_topic_policy: { policy: 'resource' },
  aws_cloudwatch_event_bus_policy: { policy: 'resource' },
  aws_sqs_queue_policy: { policy: 'resource' },
  aws_ecr_repository_policy: { policy: 'resource' },
  aws_codeartifact_repository_permissions_policy: { policy_document: 'resource' },
};

export class Inspection {
  readonly resources: Resource[] = [];
  readonly policies: Policy[] = [];
  /** Policy documents no known resource uses; the suite fails on them so that new kinds get classified. */
  readonly unclassified: string[] = [];

  constructor(readonly stacks: Record<string, TerraformJson>) {
    for (const [stack, json] of Object.entries(stacks)) {
      for (const [type, byName] of Object.entries<any>(json.resource ?? {})) {
        for (const [name, body] of Object.entries<any>(byName)) {
          this.resources.push({ stack, type, name, address: `${type}.${name}`, body });
        }
      }
      this.classifyPolicies(stack, json);
    }
  }

  private classifyPolicies(stack: string, json: TerraformJson): void {
    const users = new Map<string, Array<{ address: string; type: string; kind: PolicyKind }>>();
    const boundaries = new Set<string>();
    for (const resource of this.resources.filter((r) => r.stack === stack)) {
      const boundary = RESOURCE_ATTRIBUTE.exec(resource.body.permissions_boundary ?? '');
      if (resource.type === 'aws_iam_role' && boundary) boundaries.add(`${boundary[1]}.${boundary[2]}`);
      for (const [attribute, kind] of Object.entries(POLICY_ATTRIBUTES[resource.type] ?? {})) {
        const document = DOCUMENT_REFERENCE.exec(resource.body[attribute] ?? '')?.[1];
        if (!document) continue;
        users.set(document, [...(users.get(document) ?? []), { address: resource.address, type: resource.type, kind }]);
      }
    }
    for (const [name, body] of Object.entries<any>(json.data?.aws_iam_policy_document ?? {})) {
      const address = `data.aws_iam_policy_document.${name}`;
      const using = users.get(name) ?? [];
      if (using.length === 0) {
        this.unclassified.push(`${stack}: ${address}`);
        continue;
      }
      const kind = using.some((u) => boundaries.has(u.address)) ? 'boundary' : using[0].kind;
      this.policies.push({
        stack,
        address,
        kind,
        usedBy: using.map((u) => u.address),
        userType: using[0].type,
        statements: (body.statement ?? []).map(normalize),
      });
    }
  }

  ofType(type: string): Resource[] {
    return this.resources.filter((r) => r.type === type);
  }

  resource(stack: string, address: string): Resource | undefined {
    return this.resources.find((r) => r.stack === stack && r.address === address);
  }

  /** The resources of a stack whose `attribute` references `${<type>.<name>.<any>}` of the given resource. */
  referencing(target: Resource, type: string, attribute = 'bucket'): Resource[] {
    return this.ofType(type).filter((r) => {
      if (r.stack !== target.stack) return false;
      const match = RESOURCE_ATTRIBUTE.exec(r.body[attribute] ?? '');
      return !!match && `${match[1]}.${match[2]}` === target.address;
    });
  }

  /** The policy document a resource attribute points at. */
  policyOf(resource: Resource, attribute = 'policy'): Policy | undefined {
    const document = DOCUMENT_REFERENCE.exec(resource.body[attribute] ?? '')?.[1];
    return this.policies.find((p) => p.stack === resource.stack && p.address === `data.aws_iam_policy_document.${document}`);
  }

  /**
   * Follows a value through remote state to the stack that produced it:
   * `${data.terraform_remote_state.remote_x.outputs.y}` (or `tfe_outputs`) in
   * one stack becomes the output's value in the stack whose state it reads.
   */
  resolve(stack: string, value: string): { stack: string; value: string } {
    const remote = REMOTE_OUTPUT.exec(value);
    if (!remote) return { stack, value };
    const [, kind, name, outputName] = remote;
    const location = readLocation(kind, this.stacks[stack].data?.[kind]?.[name]);
    const producer = Object.keys(this.stacks).find((candidate) => location && stateLocation(this.stacks[candidate]) === location);
    const output = producer ? this.stacks[producer]?.output?.[outputName] : undefined;
    if (!producer || !output) throw new Error(`${stack}: cannot resolve ${value}`);
    return this.resolve(producer, output.value);
  }

  /** The resource a value refers to (`${aws_kms_key.x.arn}`), following remote state. */
  referencedResource(stack: string, value: string): Resource | undefined {
    const resolved = this.resolve(stack, value);
    const match = RESOURCE_ATTRIBUTE.exec(resolved.value);
    return match ? this.resource(resolved.stack, `${match[1]}.${match[2]}`) : undefined;
  }
}

function normalize(statement: any): Statement {
  return {
    sid: statement.sid,
    effect: statement.effect ?? 'Allow',
    actions: statement.actions ?? [],
    resources: statement.resources ?? [],
    principals: statement.principals ?? [],
    condition: statement.condition ?? [],
  };
}

/**
 * IAM's wildcard match (case-insensitive) of an action against a pattern such
 * as `kms:*`: `kms:GenerateDataKey*` is covered by `kms:*`, not by `kms:Get*`.
 */
export function actionMatches(pattern: string, action: string): boolean {
  return new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`, 'i').test(action);
}

/** Whether two action patterns can name a common action (`kms:Delete*` and `kms:DeleteAlias`). */
export function actionsOverlap(a: string, b: string): boolean {
  return actionMatches(a, b) || actionMatches(b, a);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Condition keys that narrow a principal to an organization, account, exact principal or source resource. */
export const NARROWING_CONDITION_KEYS = [
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalOrgID',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceOwner',
];

export function hasCondition(statement: Statement, variable: string | RegExp): boolean {
  return statement.condition.some((c) => (typeof variable === 'string' ? c.variable === variable : variable.test(c.variable)));
}

export function isPublicPrincipal(statement: Statement): boolean {
  return statement.principals.some((p) => p.type === '*' || (p.type === 'AWS' && p.identifiers.includes('*')));
}

export function accountOfRoot(identifier: string): string | undefined {
  return /^arn:aws:iam::(\d{12}):root$/.exec(identifier)?.[1];
}
