import type { AccountConfig, DeployConfig, PipelineConfig, TargetConfig } from '../config/schema';
import type { Naming } from '../naming';

/** Who makes a request. */
export type Actor =
  /**
   * A role of the topology, as a session of that role. `widened` replaces its
   * permissions (and boundary) with `*` on `*`: a denial then proves that the
   * resource side (trust, key or bucket policy) alone refuses it.
   */
  | { kind: 'role'; arn: string; widened?: true }
  /** An AWS service acting for a resource of an account (the confused-deputy keys). */
  | { kind: 'service'; service: string; sourceAccount: string; sourceArn: string }
  /** An administrator of an account outside the topology: may do anything in its own account. */
  | { kind: 'outsider'; account: string };

export interface Request {
  action: string;
  /** ARN of the resource; a KMS alias ARN stands for its key. */
  resource: string;
  /** Context keys beyond those the verifier derives from the actor (e.g. an upload's encryption header). */
  context?: Record<string, string>;
  /** Keys deliberately left out of the request, such as an upload without an encryption header. */
  absent?: string[];
}

export interface AccessPath extends Request {
  /** What the row proves, in words. */
  claim: string;
  actor: Actor;
  expect: 'Allowed' | 'Denied';
  /** The Sid of the Deny statement that must refuse the request. */
  deniedBySid?: string;
}

/** A request for the one deploy role of a target, with what it is for. */
interface DeployRequest extends Request {
  purpose: string;
}

interface DeployAccess {
  /** The role the pipeline assumes for the target's deploy action. */
  role: string;
  /** What the role must be able to do in its own account. */
  requests: DeployRequest[];
}

type TargetOfKind<K extends DeployConfig['kind']> = TargetConfig & { deploy: Extract<DeployConfig, { kind: K }> };

/**
 * What each deploy kind needs in its target account. The map is exhaustive
 * over the configuration's deploy kinds, so a new kind does not compile until
 * it says what its role must be allowed to do; the forbidden paths (other
 * targets, outsiders, no TLS) are derived from these requests.
 */
const DEPLOY_KINDS: { [K in DeployConfig['kind']]: (target: TargetOfKind<K>, naming: Naming) => DeployAccess } = {
  s3: (target, naming) => {
    const bucket = `arn:aws:s3:::${naming.deployBucket(target)}`;
    const key = aliasArn(target.account, naming.deployKeyAlias(target));
    return {
      role: naming.deployRoleArn(target),
      requests: [
        {
          purpose: 'extracts the build output into the deploy bucket',
          action: 's3:PutObject',
          resource: `${bucket}/${target.deploy.prefix}index.html`,
          context: KMS_UPLOAD,
        },
        { purpose: 'locates the deploy bucket', action: 's3:GetBucketLocation', resource: bucket },
        { purpose: 'encrypts with the deploy bucket key', action: 'kms:GenerateDataKey', resource: key },
      ],
    };
  },
};

function deployAccess(target: TargetConfig, naming: Naming): DeployAccess {
  const access = DEPLOY_KINDS[target.deploy.kind] as (t: TargetConfig, n: Naming) => DeployAccess;
  return access(target, naming);
}

const KMS_UPLOAD = { 's3:x-amz-server-side-encryption': 'aws:kms' };

/** CodeCommit actions of a cross-account source action. */
const SOURCE_ACTIONS = [
  'codecommit:GetBranch',
  'codecommit:GetCommit',
  'codecommit:UploadArchive',
  'codecommit:GetUploadArchiveStatus',
  'codecommit:CancelUploadArchive',
];

/** An object the pipeline writes to its artifact store (the key's shape does not matter to the policies). */
function artifactObject(naming: Naming): string {
  return `arn:aws:s3:::${naming.artifactBucket}/${naming.pipelineName}/source_out/artifact.zip`;
}

function aliasArn(account: Pick<AccountConfig, 'id' | 'region'>, alias: string): string {
  return `arn:aws:kms:${account.region}:${account.id}:${alias}`;
}

function role(arn: string): Actor {
  return { kind: 'role', arn };
}

/**
 * Every request the pipeline needs, derived from the configuration: each
 * must be Allowed.
 */
export function requiredPaths(config: PipelineConfig, naming: Naming): AccessPath[] {
  const pipeline = config.pipeline.account;
  const repository = config.repository.account;
  const artifact = artifactObject(naming);
  const artifactKey = aliasArn(pipeline, naming.artifactKeyAlias);
  const eventBus = `arn:aws:events:${pipeline.region}:${pipeline.id}:event-bus/${naming.sourceEventBus}`;
  const allowed = (claim: string, actor: Actor, request: Request): AccessPath => ({
    claim,
    actor,
    ...request,
    expect: 'Allowed',
  });
  const usesArtifacts = (who: string, actor: Actor, access: 'read' | 'read-write'): AccessPath[] => [
    allowed(`${who} reads artifacts`, actor, { action: 's3:GetObject', resource: artifact }),
    allowed(`${who} decrypts artifacts`, actor, { action: 'kms:Decrypt', resource: artifactKey }),
    ...(access === 'read-write'
      ? [
          allowed(`${who} writes encrypted artifacts over TLS`, actor, {
            action: 's3:PutObject',
            resource: artifact,
            context: KMS_UPLOAD,
          }),
          allowed(`${who} encrypts artifacts`, actor, { action: 'kms:GenerateDataKey', resource: artifactKey }),
        ]
      : []),
  ];

  const paths: AccessPath[] = [
    allowed(
      'CodePipeline assumes the pipeline role for this pipeline',
      { kind: 'service', service: 'codepipeline.amazonaws.com', sourceAccount: pipeline.id, sourceArn: naming.pipelineArn },
      { action: 'sts:AssumeRole', resource: naming.pipelineRoleArn },
    ),
    allowed('the pipeline role assumes the source role', role(naming.pipelineRoleArn), {
      action: 'sts:AssumeRole',
      resource: naming.sourceRoleArn,
    }),
    ...config.targets.map((target) =>
      allowed(`the pipeline role assumes the deploy role of ${target.name}`, role(naming.pipelineRoleArn), {
        action: 'sts:AssumeRole',
        resource: deployAccess(target, naming).role,
      }),
    ),
    ...usesArtifacts('the pipeline role', role(naming.pipelineRoleArn), 'read-write'),
    ...['codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) =>
      allowed('the pipeline role runs the build', role(naming.pipelineRoleArn), { action, resource: naming.buildProjectArn }),
    ),
    ...(config.targets.some((t) => t.approval !== false)
      ? [
          allowed('the pipeline role asks approvers', role(naming.pipelineRoleArn), {
            action: 'sns:Publish',
            resource: `arn:aws:sns:${pipeline.region}:${pipeline.id}:${naming.approvalTopic}`,
          }),
        ]
      : []),

    ...SOURCE_ACTIONS.map((action) =>
      allowed('the source role reads the repository', role(naming.sourceRoleArn), { action, resource: naming.repositoryArn }),
    ),
    ...usesArtifacts('the source role', role(naming.sourceRoleArn), 'read-write'),

    allowed(
      'CodeBuild assumes the build role for this project',
      { kind: 'service', service: 'codebuild.amazonaws.com', sourceAccount: pipeline.id, sourceArn: naming.buildProjectArn },
      { action: 'sts:AssumeRole', resource: naming.buildRoleArn },
    ),
    ...usesArtifacts('the build role', role(naming.buildRoleArn), 'read-write'),
    ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) =>
      allowed('the build role writes its logs', role(naming.buildRoleArn), {
        action,
        resource: `${naming.buildLogGroupArn}:log-stream:build`,
      }),
    ),

    allowed(
      'EventBridge assumes the forwarder role for the forwarding rule',
      {
        kind: 'service',
        service: 'events.amazonaws.com',
        sourceAccount: repository.id,
        sourceArn: naming.forwardSourceChangesRuleArn,
      },
      { action: 'sts:AssumeRole', resource: naming.sourceForwarderRoleArn },
    ),
    allowed("the forwarding rule's role puts events on the pipeline account's bus", role(naming.sourceForwarderRoleArn), {
      action: 'events:PutEvents',
      resource: eventBus,
    }),
    allowed(
      'EventBridge assumes the starter role for the start rule',
      { kind: 'service', service: 'events.amazonaws.com', sourceAccount: pipeline.id, sourceArn: naming.startPipelineRuleArn },
      { action: 'sts:AssumeRole', resource: naming.pipelineStarterRoleArn },
    ),
    allowed("the start rule's role starts the pipeline", role(naming.pipelineStarterRoleArn), {
      action: 'codepipeline:StartPipelineExecution',
      resource: naming.pipelineArn,
    }),
  ];

  for (const target of config.targets) {
    const access = deployAccess(target, naming);
    const deployer = role(access.role);
    paths.push(...usesArtifacts(`the deploy role of ${target.name}`, deployer, 'read'));
    for (const { purpose, ...request } of access.requests) {
      paths.push(allowed(`the deploy role of ${target.name} ${purpose}`, deployer, request));
    }
  }
  return paths;
}

/** What the forbidden paths need to know about the synthesized stacks. */
export interface Inventory {
  /** Every role the stacks create. */
  roles: Array<{ arn: string; account: string }>;
  /** The account that owns a resource. */
  resourceAccount(resourceArn: string): string;
}

/** An account id that is none of the topology's. */
function outsiderAccount(config: PipelineConfig): string {
  const used = new Set([config.pipeline.account.id, config.repository.account.id, ...config.targets.map((t) => t.account.id)]);
  let candidate = 999999999999;
  while (used.has(String(candidate))) candidate--;
  return String(candidate);
}

/**
 * Requests that must be denied, derived from the required ones so that every
 * new grant is also checked from the wrong side.
 */
export function forbiddenPaths(
  config: PipelineConfig,
  naming: Naming,
  required: AccessPath[],
  inventory: Inventory,
): AccessPath[] {
  const pipeline = config.pipeline.account;
  const outsider = outsiderAccount(config);
  const artifact = artifactObject(naming);
  const artifactKey = aliasArn(pipeline, naming.artifactKeyAlias);
  const denied = (claim: string, actor: Actor, request: Request, deniedBySid?: string): AccessPath => ({
    claim,
    actor,
    ...request,
    expect: 'Denied',
    ...(deniedBySid ? { deniedBySid } : {}),
  });
  const requestOf = ({ action, resource, context, absent }: AccessPath): Request => ({
    action,
    resource,
    ...(context ? { context } : {}),
    ...(absent ? { absent } : {}),
  });
  const isRequired = (actorArn: string, action: string, resource: string) =>
    required.some((p) => p.actor.kind === 'role' && p.actor.arn === actorArn && p.action === action && p.resource === resource);
  const accountOfArn = (arn: string) => arn.split(':')[4];
  const paths: AccessPath[] = [];

  // Nobody outside the topology, even an administrator of its own account.
  for (const path of uniqueRequests(required)) {
    paths.push(denied('an account outside the topology is refused', { kind: 'outsider', account: outsider }, requestOf(path)));
  }

  // Each grant names exactly its role: any other role of the topology, even with every permission, is refused by the
  // resource side wherever the resource side decides (cross-account, trust policies, key policies).
  for (const path of required) {
    const owner = inventory.resourceAccount(path.resource);
    const resourceDecides = path.action.startsWith('sts:') || path.action.startsWith('kms:');
    for (const other of inventory.roles) {
      if (path.actor.kind === 'role' && path.actor.arn === other.arn) continue;
      if (isRequired(other.arn, path.action, path.resource)) continue;
      if (!resourceDecides && other.account === owner) continue;
      paths.push(
        denied(`only the named principal may: ${path.claim}`, { kind: 'role', arn: other.arn, widened: true }, requestOf(path)),
      );
    }
  }

  // Services act only for this topology's resources (aws:SourceAccount, aws:SourceArn).
  for (const path of required) {
    if (path.actor.kind !== 'service') continue;
    const { service, sourceArn, sourceAccount } = path.actor;
    paths.push(
      denied(
        `${service} acting for another account is refused`,
        {
          kind: 'service',
          service,
          sourceAccount: outsider,
          sourceArn: sourceArn.replace(`:${sourceAccount}:`, `:${outsider}:`),
        },
        requestOf(path),
      ),
    );
  }

  // Buckets and topics refuse requests without TLS; the artifact bucket refuses uploads that do not ask for SSE-KMS.
  for (const path of required) {
    if (path.actor.kind !== 'role') continue;
    const service = path.action.split(':')[0];
    if (service === 's3' || service === 'sns') {
      paths.push(
        denied(
          `without TLS: ${path.claim}`,
          path.actor,
          { ...requestOf(path), context: { ...path.context, 'aws:SecureTransport': 'false' } },
          'DenyInsecureTransport',
        ),
      );
    }
    if (path.action === 's3:PutObject' && path.resource.startsWith(`arn:aws:s3:::${naming.artifactBucket}/`)) {
      paths.push(
        denied(
          `with SSE-S3 instead of SSE-KMS: ${path.claim}`,
          path.actor,
          { ...requestOf(path), context: { 's3:x-amz-server-side-encryption': 'AES256' } },
          'DenyUploadsWithoutKms',
        ),
        denied(
          `without an encryption header: ${path.claim}`,
          path.actor,
          { ...requestOf(path), context: {}, absent: ['s3:x-amz-server-side-encryption'] },
          'DenyUploadsWithoutKms',
        ),
      );
    }
  }

  // CloudWatch Logs may use the artifact key only under the build log group's encryption context. (The allowed side,
  // with the context, is not evaluated: iam-simulate drops kms:EncryptionContext:* keys; see docs/verification.md.)
  paths.push(
    denied(
      'CloudWatch Logs uses the artifact key only for the build log group',
      {
        kind: 'service',
        service: `logs.${pipeline.region}.amazonaws.com`,
        sourceAccount: pipeline.id,
        sourceArn: naming.buildLogGroupArn,
      },
      { action: 'kms:GenerateDataKey', resource: artifactKey, absent: ['kms:EncryptionContext:aws:logs:arn'] },
    ),
  );

  const sourceRole = role(naming.sourceRoleArn);
  for (const target of config.targets) {
    const access = deployAccess(target, naming);
    const deployer = role(access.role);
    paths.push(
      denied(`the source role cannot assume the deploy role of ${target.name}`, sourceRole, {
        action: 'sts:AssumeRole',
        resource: access.role,
      }),
    );
    // Deploy roles only read artifacts.
    paths.push(
      denied(`the deploy role of ${target.name} cannot write artifacts`, deployer, {
        action: 's3:PutObject',
        resource: artifact,
        context: KMS_UPLOAD,
      }),
      denied(`the deploy role of ${target.name} cannot delete artifacts`, deployer, {
        action: 's3:DeleteObject',
        resource: artifact,
      }),
    );
    paths.push(
      denied(`the deploy role of ${target.name} cannot encrypt artifacts`, deployer, {
        action: 'kms:GenerateDataKey',
        resource: artifactKey,
      }),
    );
    // A target's role cannot touch another target or assume any other role.
    for (const other of config.targets.filter((t) => t !== target)) {
      for (const { purpose, ...request } of deployAccess(other, naming).requests) {
        paths.push(
          denied(`the deploy role of ${target.name} cannot do what ${other.name}'s does: ${purpose}`, deployer, request),
        );
      }
    }
    for (const other of inventory.roles.filter((r) => r.arn !== access.role)) {
      paths.push(
        denied(`the deploy role of ${target.name} cannot assume other roles`, deployer, {
          action: 'sts:AssumeRole',
          resource: other.arn,
        }),
      );
    }
  }

  // No role can escalate: pass a role, create users, or change a role's policies.
  const terraformRoles = [config.pipeline.account, config.repository.account, ...config.targets.map((t) => t.account)].map(
    (a) => a.role,
  );
  for (const actor of inventory.roles) {
    const account = actor.account;
    const sameAccountRoles = [
      ...new Set([
        ...inventory.roles.filter((r) => r.account === account).map((r) => r.arn),
        ...terraformRoles.filter((r) => accountOfArn(r) === account),
      ]),
    ].sort();
    const requests: Request[] = [
      ...sameAccountRoles.map((arn) => ({
        action: 'iam:PassRole',
        resource: arn,
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      })),
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${account}:user/escalation` },
      ...[actor.arn, ...terraformRoles.filter((r) => accountOfArn(r) === account)].flatMap((arn) => [
        {
          action: 'iam:AttachRolePolicy',
          resource: arn,
          context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
        },
        { action: 'iam:PutRolePolicy', resource: arn },
      ]),
    ];
    for (const request of requests) {
      if (isRequired(actor.arn, request.action, request.resource)) continue;
      paths.push(denied('no privilege escalation', role(actor.arn), request));
    }
  }
  return uniquePaths(paths);
}

function uniqueRequests(paths: AccessPath[]): AccessPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify([p.action, p.resource, p.context ?? {}]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniquePaths(paths: AccessPath[]): AccessPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify([p.actor, p.action, p.resource, p.context ?? {}, p.absent ?? []]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
