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
 * they will have after apply: remote-state outputs through the producer
 * stack's output, resource attributes from the block's own arguments and the
 * account and region of its provider. Anything it cannot resolve exactly is
 * an error, so a policy is never evaluated with a guessed value.
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

  /** The stack a `terraform_remote_state` data source reads, from its backend configuration. */
  producerOf(stack: string, remoteState: string): string {
    const body = this.stack(stack).data?.terraform_remote_state?.[remoteState];
    if (!body) throw new Error(`${stack}: no data.terraform_remote_state.${remoteState}`);
    const locations = Object.values<unknown>(body.config ?? {}).flatMap((v) =>
      typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).filter((x) => typeof x === 'string') : [],
    ) as string[];
    const names = locations.map(
      (l) =>
        l
          .replace(/\.tfstate$/, '')
          .split('/')
          .pop() ?? '',
    );
    const producer = Object.keys(this.app.stacks)
      .filter((s) => names.some((n) => n === s || n.endsWith(`-${s}`)))
      .sort((a, b) => b.length - a.length)[0];
    if (!producer) throw new Error(`${stack}: cannot tell which stack data.terraform_remote_state.${remoteState} reads`);
    return producer;
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
    const remote = /^data\.terraform_remote_state\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (remote) {
      const producer = this.producerOf(stack, remote[1]);
      const output = this.stack(producer).output?.[remote[2]];
      if (!output)
        throw new Error(`${stack}: ${expression} reads output "${remote[2]}", which stack ${producer} does not publish`);
      if (typeof output.value !== 'string') throw new Error(`${producer}: output ${remote[2]} is not a string`);
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
