import { createHash } from 'node:crypto';
import { type PolicyJson, renderPolicyDocument } from './policy-render';
import type { SynthesizedApp, TerraformJson } from './synthesized';

/** The account and region a resource is created in: those of its provider. */
export interface Placement {
  account: string;
  region: string;
}

/** Knows how Terraform derives the computed attributes of one resource type. */
interface BlockView {
  placement: Placement;
  /** A configured argument of the block, its references resolved. */
  arg(name: string): string;
  /** Whether the block sets the argument. */
  has(name: string): boolean;
  /** A boolean argument; false when unset. */
  flag(name: string): boolean;
  /** A stable, well-formed stand-in for an id only AWS assigns (a KMS key id). */
  placeholderId(): string;
}

type ComputedAttributes = Record<string, (block: BlockView) => string>;

/**
 * Computed attributes of the resource types whose values policies refer to,
 * derived the way AWS forms them. Configured arguments (`name`, `bucket`...)
 * need no entry: they are read from the block itself. A reference to anything
 * else fails the run rather than being guessed.
 */
const COMPUTED: Record<string, ComputedAttributes> = {
  aws_s3_bucket: {
    id: (b) => b.arg('bucket'),
    arn: (b) => `arn:aws:s3:::${b.arg('bucket')}`,
  },
  aws_kms_key: {
    id: (b) => kmsKeyId(b),
    key_id: (b) => kmsKeyId(b),
    arn: (b) => `arn:aws:kms:${b.placement.region}:${b.placement.account}:key/${kmsKeyId(b)}`,
  },
  // A replica has the id of its primary key, in its own region.
  aws_kms_replica_key: {
    id: (b) => replicaKeyId(b),
    key_id: (b) => replicaKeyId(b),
    arn: (b) => `arn:aws:kms:${b.placement.region}:${b.placement.account}:key/${replicaKeyId(b)}`,
  },
  // Terraform creates connections through the CodeStar Connections API; the verifier asks for both prefixes anyway.
  aws_codestarconnections_connection: {
    id: (b) => connectionArn(b),
    arn: (b) => connectionArn(b),
  },
  aws_kms_alias: {
    id: (b) => b.arg('name'),
    arn: (b) => `arn:aws:kms:${b.placement.region}:${b.placement.account}:${b.arg('name')}`,
  },
  aws_iam_role: {
    id: (b) => b.arg('name'),
    arn: (b) => `arn:aws:iam::${b.placement.account}:role${iamPath(b)}${b.arg('name')}`,
  },
  // An OIDC provider is named after its URL without the scheme.
  aws_iam_openid_connect_provider: {
    arn: (b) => `arn:aws:iam::${b.placement.account}:oidc-provider/${b.arg('url').replace(/^https:\/\//, '')}`,
  },
  aws_iam_policy: {
    id: (b) => `arn:aws:iam::${b.placement.account}:policy${iamPath(b)}${b.arg('name')}`,
    arn: (b) => `arn:aws:iam::${b.placement.account}:policy${iamPath(b)}${b.arg('name')}`,
  },
  aws_sns_topic: {
    id: (b) => snsTopicArn(b),
    arn: (b) => snsTopicArn(b),
  },
  aws_cloudwatch_event_bus: {
    id: (b) => b.arg('name'),
    arn: (b) => `arn:aws:events:${b.placement.region}:${b.placement.account}:event-bus/${b.arg('name')}`,
  },
  aws_cloudwatch_event_rule: {
    arn: (b) => {
      const bus = b.has('event_bus_name') ? b.arg('event_bus_name').replace(/^arn:.*:event-bus\//, '') : 'default';
      const path = bus === 'default' ? '' : `${bus}/`;
      return `arn:aws:events:${b.placement.region}:${b.placement.account}:rule/${path}${b.arg('name')}`;
    },
  },
  aws_codecommit_repository: codecommitRepository(),
  aws_codepipeline: {
    id: (b) => b.arg('name'),
    arn: (b) => `arn:aws:codepipeline:${b.placement.region}:${b.placement.account}:${b.arg('name')}`,
  },
  aws_codebuild_project: {
    id: (b) => codebuildProjectArn(b),
    arn: (b) => codebuildProjectArn(b),
  },
  aws_cloudwatch_metric_alarm: {
    arn: (b) => `arn:aws:cloudwatch:${b.placement.region}:${b.placement.account}:alarm:${b.arg('alarm_name')}`,
  },
  aws_cloudtrail: {
    arn: (b) => `arn:aws:cloudtrail:${b.placement.region}:${b.placement.account}:trail/${b.arg('name')}`,
  },
  aws_codedeploy_app: {
    arn: (b) => `arn:aws:codedeploy:${b.placement.region}:${b.placement.account}:application:${b.arg('name')}`,
  },
  aws_cloudwatch_log_group: {
    id: (b) => b.arg('name'),
    arn: (b) => `arn:aws:logs:${b.placement.region}:${b.placement.account}:log-group:${b.arg('name')}`,
  },
};

/** Data sources whose attributes policies refer to. */
const COMPUTED_DATA: Record<string, ComputedAttributes> = {
  aws_codecommit_repository: codecommitRepository(),
};

function codecommitRepository(): ComputedAttributes {
  return {
    id: (b) => b.arg('repository_name'),
    arn: (b) => `arn:aws:codecommit:${b.placement.region}:${b.placement.account}:${b.arg('repository_name')}`,
    clone_url_http: (b) => `https://git-codecommit.${b.placement.region}.amazonaws.com/v1/repos/${b.arg('repository_name')}`,
  };
}

/** Multi-region keys have ids that start with `mrk-`. */
function kmsKeyId(b: BlockView): string {
  return b.flag('multi_region') ? `mrk-${b.placeholderId().replace(/-/g, '')}` : b.placeholderId();
}

function replicaKeyId(b: BlockView): string {
  const primary = b.arg('primary_key_arn');
  const id = /:key\/(mrk-[0-9a-f]+)$/.exec(primary)?.[1];
  if (!id) throw new Error(`the primary key of a replica must be a multi-region key, got ${primary}`);
  return id;
}

function connectionArn(b: BlockView): string {
  return `arn:aws:codestar-connections:${b.placement.region}:${b.placement.account}:connection/${b.placeholderId()}`;
}

function iamPath(b: BlockView): string {
  return b.has('path') ? b.arg('path') : '/';
}

function snsTopicArn(b: BlockView): string {
  return `arn:aws:sns:${b.placement.region}:${b.placement.account}:${b.arg('name')}`;
}

function codebuildProjectArn(b: BlockView): string {
  return `arn:aws:codebuild:${b.placement.region}:${b.placement.account}:project/${b.arg('name')}`;
}

const REFERENCE = /\$\{([^{}]*)\}/g;

/**
 * Resolves the Terraform references of the synthesized stacks to the values
 * they will have after apply: outputs read from another stack's state (local,
 * S3 or Terraform Cloud remote state, `tfe_outputs`) through that stack's
 * output, resource attributes from the block's own arguments and the account
 * and region of its provider. Anything it cannot resolve exactly is an error,
 * so a policy is never evaluated with a guessed value.
 */
export class Resolver {
  private readonly cache = new Map<string, string>();
  private readonly documents = new Map<string, PolicyJson>();
  private readonly inProgress: string[] = [];

  constructor(private readonly app: SynthesizedApp) {}

  /** Resolves every `${...}` in a string. */
  resolve(stack: string, text: string): string {
    return text.replace(REFERENCE, (_match, expression: string) => this.reference(stack, expression.trim()));
  }

  /** The policy a `data.aws_iam_policy_document` renders, as IAM JSON. */
  policyDocument(stack: string, name: string): PolicyJson {
    const key = `${stack}/${name}`;
    let document = this.documents.get(key);
    if (!document) {
      const body = this.stack(stack).data?.aws_iam_policy_document?.[name];
      if (!body) throw new Error(`${stack}: no data.aws_iam_policy_document.${name}`);
      document = this.guard(`${key}.json`, () =>
        renderPolicyDocument(
          body,
          (text) => this.resolve(stack, text),
          (json) => parsePolicy(json, `${stack}: ${name}`),
        ),
      );
      this.documents.set(key, document);
    }
    return document;
  }

  /** Whether the named policy document has been rendered, for a policy attribute or as another's source. */
  hasRendered(stack: string, name: string): boolean {
    return this.documents.has(`${stack}/${name}`);
  }

  /** A JSON policy attribute (`policy`, `assume_role_policy`...) of a block, rendered. */
  policyAttribute(stack: string, text: string, where: string): PolicyJson {
    const whole = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(text);
    if (whole) return this.policyDocument(stack, whole[1]);
    return parsePolicy(this.resolve(stack, text), `${stack}: ${where}`);
  }

  /** The account and region of a block, from the provider it names. */
  placement(stack: string, body: TerraformJson): Placement {
    const alias = typeof body.provider === 'string' ? body.provider.replace(/^aws\.?/, '') : '';
    const provider = (this.stack(stack).provider?.aws ?? []).find((p: TerraformJson) => (p.alias ?? '') === alias);
    const account = provider?.allowed_account_ids?.[0];
    if (!provider || !account || !provider.region) {
      throw new Error(
        `${stack}: provider "${body.provider ?? 'aws'}" has no allowed_account_ids and region to place resources in`,
      );
    }
    return { account, region: provider.region };
  }

  /**
   * The stack whose outputs a `terraform_remote_state` or `tfe_outputs` data
   * source reads: the one whose own backend (or cloud) block keeps its state
   * where the read looks, on every backend the project supports.
   */
  producerOf(stack: string, type: OutputReadType, name: string): string {
    const body = this.stack(stack).data?.[type]?.[name];
    if (!body) throw new Error(`${stack}: no data.${type}.${name}`);
    const location = type === 'tfe_outputs' ? this.tfeOutputsLocation(stack, body) : remoteStateLocation(body);
    if (!location) throw new Error(`${stack}: data.${type}.${name} reads backend "${body.backend}", which the verifier does not know`);
    const producers = Object.keys(this.app.stacks).filter((s) => stateLocation(this.stack(s)) === location);
    if (producers.length !== 1) {
      throw new Error(
        `${stack}: data.${type}.${name} reads state ${location}, ` +
          `which ${producers.length === 0 ? 'no stack keeps' : `${producers.length} stacks keep`}`,
      );
    }
    return producers[0];
  }

  /** `tfe_outputs` names its workspace; the organization and host default to those of its tfe provider. */
  private tfeOutputsLocation(stack: string, body: TerraformJson): string {
    const alias = typeof body.provider === 'string' ? body.provider.replace(/^tfe\.?/, '') : '';
    const provider = (this.stack(stack).provider?.tfe ?? []).find((p: TerraformJson) => (p.alias ?? '') === alias) ?? {};
    return cloudLocation(body.hostname ?? provider.hostname, body.organization ?? provider.organization, body.workspace);
  }

  private stack(name: string): TerraformJson {
    const stack = this.app.stacks[name];
    if (!stack) throw new Error(`no stack "${name}" in the synthesized output`);
    return stack;
  }

  private reference(stack: string, expression: string): string {
    const key = `${stack}/${expression}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const value = this.guard(key, () => this.evaluate(stack, expression));
    this.cache.set(key, value);
    return value;
  }

  private guard<T>(key: string, compute: () => T): T {
    if (this.inProgress.includes(key)) throw new Error(`reference cycle: ${[...this.inProgress, key].join(' → ')}`);
    this.inProgress.push(key);
    try {
      return compute();
    } finally {
      this.inProgress.pop();
    }
  }

  private evaluate(stack: string, expression: string): string {
    const read = outputRead(expression);
    if (read) {
      const producer = this.producerOf(stack, read.type, read.name);
      const output = this.stack(producer).output?.[read.output];
      if (!output)
        throw new Error(`${stack}: ${expression} reads output "${read.output}", which stack ${producer} does not publish`);
      if (read.type === 'tfe_outputs' && output.sensitive === true) {
        throw new Error(
          `${stack}: ${expression} reads sensitive output "${read.output}" of ${producer}, which nonsensitive_values leaves out`,
        );
      }
      if (typeof output.value !== 'string') throw new Error(`${producer}: output ${read.output} is not a string`);
      return this.resolve(producer, output.value);
    }
    const attribute = /^(data\.)?([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(expression);
    if (!attribute) throw new Error(`${stack}: cannot evaluate \${${expression}} offline (only references are supported)`);
    const [, data, type, name, attr] = attribute;
    if (data && type === 'aws_iam_policy_document' && attr === 'json') {
      return JSON.stringify(this.policyDocument(stack, name));
    }
    const kind = data ? 'data' : 'resource';
    const body = this.stack(stack)[kind]?.[type]?.[name];
    if (!body) throw new Error(`${stack}: \${${expression}} refers to a block that does not exist`);
    const view = this.view(stack, `${data ?? ''}${type}.${name}`, body);
    const computed = (data ? COMPUTED_DATA : COMPUTED)[type]?.[attr];
    if (computed) return computed(view);
    if (typeof body[attr] === 'string') return view.arg(attr);
    throw new Error(
      `${stack}: cannot resolve \${${expression}}: the verifier does not know how AWS forms "${attr}" of ${type} ` +
        '(add it to lib/verify/resolve.ts)',
    );
  }

  private view(stack: string, address: string, body: TerraformJson): BlockView {
    return {
      placement: this.placement(stack, body),
      has: (name) => body[name] !== undefined && body[name] !== null,
      flag: (name) => {
        if (body[name] === undefined || body[name] === null) return false;
        if (typeof body[name] !== 'boolean') throw new Error(`${stack}: ${address} has no boolean argument "${name}"`);
        return body[name];
      },
      arg: (name) => {
        if (typeof body[name] !== 'string') throw new Error(`${stack}: ${address} has no string argument "${name}"`);
        return this.resolve(stack, body[name]);
      },
      placeholderId: () => placeholderUuid(`${stack}/${address}`),
    };
  }
}

/** A UUID-shaped id derived from the block's address: the same everywhere the block is referenced. */
function placeholderUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function parsePolicy(json: string, where: string): PolicyJson {
  try {
    const policy = JSON.parse(json);
    if (!Array.isArray(policy.Statement)) throw new Error('no Statement list');
    return policy;
  } catch (error) {
    throw new Error(`${where}: not a policy document: ${(error as Error).message}`);
  }
}

/** The data sources through which one stack reads another's outputs. */
type OutputReadType = 'terraform_remote_state' | 'tfe_outputs';

/** A reference to another stack's output, through remote state or `tfe_outputs`. */
function outputRead(expression: string): { type: OutputReadType; name: string; output: string } | undefined {
  const remote = /^data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
  if (remote) return { type: 'terraform_remote_state', name: remote[1], output: remote[2] };
  // tfe_outputs has every output in `values` (sensitive as a whole) and the non-sensitive ones in `nonsensitive_values`.
  const tfe = /^data\.tfe_outputs\.([\w-]+)\.nonsensitive_values\.([\w-]+)$/.exec(expression);
  if (tfe) return { type: 'tfe_outputs', name: tfe[1], output: tfe[2] };
  return undefined;
}

/** Terraform Cloud's host when a block names none. */
export const DEFAULT_CLOUD_HOST = 'app.terraform.io';

function cloudLocation(hostname: unknown, organization: unknown, workspace: unknown): string {
  return `cloud:${hostname ?? DEFAULT_CLOUD_HOST}/${organization}/${workspace}`;
}

/** Where a stack keeps its state, from its `backend` or `cloud` block; undefined for a backend the verifier does not know. */
function stateLocation(stack: TerraformJson): string | undefined {
  const { backend, cloud } = stack.terraform ?? {};
  if (cloud) return cloudLocation(cloud.hostname, cloud.organization, cloud.workspaces?.name);
  const [type, config] = Object.entries<TerraformJson>(backend ?? {})[0] ?? [];
  return type ? backendLocation(type, config) : undefined;
}

/** Where a `terraform_remote_state` reads, in the terms of `stateLocation`. */
function remoteStateLocation(body: TerraformJson): string | undefined {
  return backendLocation(body.backend, body.config ?? {});
}

function backendLocation(type: string, config: TerraformJson): string | undefined {
  switch (type) {
    case 'local':
      return `local:${config.path}`;
    case 's3':
      return `s3:${config.region}/${config.bucket}/${config.key}`;
    case 'remote':
      return cloudLocation(config.hostname, config.organization, config.workspaces?.name);
    default:
      return undefined;
  }
}
