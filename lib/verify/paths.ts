import { artifactPrefix, BUILD_ARTIFACT, SOURCE_ARTIFACT } from '../artifact-layout';
import type { PipelineConfig, SourceOf } from '../config/schema';
import { type Naming, roleArn } from '../naming';
import { alarmArnOf, aliasArn, deployAccess, KMS_UPLOAD, type PurposefulRequest } from './deploy-access';
import { grantRequests } from './grants';
import type { WorkspaceStack } from './model';
import { secretForbiddenPaths, secretRequiredPaths } from './secret-paths';

/** Who makes a request. */
export type Actor =
  /**
   * A role of the topology, as a session of that role. `widened` replaces its
   * permissions (and boundary) with `*` on `*`: a denial then proves that the
   * resource side (trust, key or bucket policy) alone refuses it.
   */
  | { kind: 'role'; arn: string; widened?: true }
  /**
   * A role the configuration names but no stack creates (an uploader of the S3
   * source). Its own policies are not in the stacks, so it acts with `*` on
   * `*`: what is proven is that the resource side admits it.
   */
  | { kind: 'named-role'; arn: string }
  /**
   * An AWS service, acting for one resource of an account (the confused-deputy
   * keys) or, for services that receive a role through `iam:PassRole`, for no
   * resource in particular.
   */
  | { kind: 'service'; service: string; sourceAccount?: string; sourceArn?: string }
  /** An administrator of an account outside the topology: may do anything in its own account. */
  | { kind: 'outsider'; account: string }
  /**
   * The holder of a token of an OIDC identity provider (a Terraform Cloud
   * run), calling sts:AssumeRoleWithWebIdentity: the provider is the
   * principal, and the token's claims (`<issuer host>:aud`, `<issuer
   * host>:sub`) are the keys the trust policy tests.
   */
  | { kind: 'web-identity'; provider: string; claims: Record<string, string> };

export interface Request {
  action: string;
  /** ARN of the resource, or `*` for actions IAM authorizes only on "*"; a KMS alias ARN stands for its key. */
  resource: string;
  /**
   * The account of a `*` resource, or of a resource no stack creates whose ARN
   * names none (an existing bucket); every other resource names or implies its own.
   */
  account?: string;
  /**
   * The resource exists before the stacks (an existing source bucket or key):
   * its own policy is unknown, so only the requester's side is proven, and no
   * forbidden path is derived from the request.
   */
  outsideStacks?: true;
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

/** What the paths need to know about the synthesized stacks beyond the configuration. */
export interface Inventory {
  /** Every role the stacks create. */
  roles: Array<{ arn: string; account: string }>;
  /** The account that owns a resource. */
  resourceAccount(resourceArn: string): string;
  /** ARNs of the resources of one type that the stacks create (for values only AWS assigns, such as a connection's id). */
  createdArns(type: string): string[];
  /** The stacks kept in Terraform Cloud workspaces: whose runs get credentials in which account. */
  workspaceStacks: WorkspaceStack[];
  /** The run role name of each pipeline stack's workspace (lib/naming.ts); the foundation's use the platform's. */
  runRoles: Map<string, string>;
}

/** CodeCommit actions of a cross-account source action. */
const SOURCE_ACTIONS = [
  'codecommit:GetBranch',
  'codecommit:GetCommit',
  'codecommit:UploadArchive',
  'codecommit:GetUploadArchiveStatus',
  'codecommit:CancelUploadArchive',
];

/** The kinds of CodePipeline calls the security alerts watch, one rule each. */
const ALERT_KINDS = ['pipeline-changes', 'job-results', 'approvals'];

/** The artifact store of one region: where CodePipeline hands the actions of that region their artifacts. */
export interface ArtifactStore {
  region: string;
  bucket: string;
  /**
   * An object of each artifact, where CodePipeline puts it (lib/artifact-layout.ts):
   * roles are granted only the artifacts they write or read.
   */
  objects: Record<Artifact, string>;
  /** The key's alias ARN in the store's region (every store's key is a replica of one multi-region key). */
  key: string;
}

/** The artifacts of a pipeline: the source action's output and the build's output. */
type Artifact = 'source' | 'build';

export function artifactStores(config: PipelineConfig, naming: Naming): ArtifactStore[] {
  return [config.pipeline.account.region, ...naming.extraRegions].map((region) => {
    const bucket = naming.artifactBucketIn(region);
    const object = (artifact: string) => `arn:aws:s3:::${bucket}/${artifactPrefix(naming.pipelineName, artifact)}Ab3dE9x.zip`;
    return {
      region,
      bucket,
      objects: { source: object(SOURCE_ARTIFACT), build: object(BUILD_ARTIFACT) },
      key: aliasArn({ id: config.pipeline.account.id, region }, naming.artifactKeyAlias),
    };
  });
}

/** The shared keys admit their users only through S3 (kms:ViaService), as S3 calls KMS for them. */
export function viaS3(region: string): Record<string, string> {
  return { 'kms:ViaService': `s3.${region}.amazonaws.com` };
}

function storeOf(stores: ArtifactStore[], region: string): ArtifactStore {
  const store = stores.find((s) => s.region === region);
  if (!store) throw new Error(`no artifact store in ${region}`);
  return store;
}

function role(arn: string): Actor {
  return { kind: 'role', arn };
}

/** A service acting for one resource of an account. */
function serviceFor(service: string, sourceAccount: string, sourceArn: string): Actor {
  return { kind: 'service', service, sourceAccount, sourceArn };
}

function assume(roleArn: string): Request {
  return { action: 'sts:AssumeRole', resource: roleArn };
}

function allowed(claim: string, actor: Actor, request: Request): AccessPath {
  return { claim, actor, ...request, expect: 'Allowed' };
}

function denied(claim: string, actor: Actor, request: Request, deniedBySid?: string): AccessPath {
  return { claim, actor, ...request, expect: 'Denied', ...(deniedBySid ? { deniedBySid } : {}) };
}

function withoutPurpose({ purpose: _purpose, ...request }: PurposefulRequest): Request {
  return request;
}

/** A store's region in a claim, when the pipeline has stores in several regions. */
function inRegion(config: PipelineConfig, store: ArtifactStore): string {
  return store.region === config.pipeline.account.region ? '' : ` in ${store.region}`;
}

function usesArtifacts(
  config: PipelineConfig,
  who: string,
  actor: Actor,
  store: ArtifactStore,
  access: 'read' | 'read-write',
  artifacts: readonly Artifact[] = ['source', 'build'],
): AccessPath[] {
  const where = inRegion(config, store);
  return [
    ...artifacts.map((artifact) =>
      allowed(`${who} reads the ${artifact} artifact${where}`, actor, { action: 's3:GetObject', resource: store.objects[artifact] }),
    ),
    allowed(`${who} decrypts artifacts${where}`, actor, { action: 'kms:Decrypt', resource: store.key, context: viaS3(store.region) }),
    ...(access === 'read-write'
      ? [
          ...artifacts.map((artifact) =>
            allowed(`${who} writes the ${artifact} artifact encrypted over TLS${where}`, actor, {
              action: 's3:PutObject',
              resource: store.objects[artifact],
              context: KMS_UPLOAD,
            }),
          ),
          allowed(`${who} encrypts artifacts${where}`, actor, { action: 'kms:GenerateDataKey', resource: store.key, context: viaS3(store.region) }),
        ]
      : []),
  ];
}

/** The writer of the source artifact sets its ACL (aws-cdk #14156/#14260, #13557/#13637; modules/artifact-store.ts). */
function setsSourceAcl(who: string, actor: Actor, home: ArtifactStore): AccessPath {
  return allowed(`${who} sets the ACL of the source artifact`, actor, { action: 's3:PutObjectAcl', resource: home.objects.source });
}

/**
 * Every request the pipeline needs, derived from the configuration: each
 * must be Allowed.
 */
export async function requiredPaths(config: PipelineConfig, naming: Naming, inventory: Inventory): Promise<AccessPath[]> {
  const pipeline = config.pipeline.account;
  const stores = artifactStores(config, naming);
  const pipelineRole = role(naming.pipelineRoleArn);
  const paths: AccessPath[] = [
    allowed(
      'CodePipeline assumes the pipeline role',
      // CodePipeline documents no source keys for assuming its service role, and the trust tests none (modules/pipeline.ts).
      { kind: 'service', service: 'codepipeline.amazonaws.com' },
      assume(naming.pipelineRoleArn),
    ),
    // CodePipeline copies artifacts into the store of each action's region, as the pipeline role.
    // A store of another region holds only the copies of what its actions consume: the build output.
    ...stores.flatMap((store) =>
      usesArtifacts(config, 'the pipeline role', pipelineRole, store, 'read-write', store === stores[0] ? ['source', 'build'] : ['build']),
    ),
    ...config.targets.map((target) =>
      allowed(`the pipeline role assumes the deploy role of ${target.name}`, pipelineRole, assume(naming.deployRoleArn(target))),
    ),
    ...['codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) =>
      allowed('the pipeline role runs the build', pipelineRole, { action, resource: naming.buildProjectArn }),
    ),
    ...(config.targets.some((t) => t.approval !== false)
      ? [
          allowed('the pipeline role asks approvers', pipelineRole, {
            action: 'sns:Publish',
            resource: `arn:aws:sns:${pipeline.region}:${pipeline.id}:${naming.approvalTopic}`,
          }),
        ]
      : []),

    allowed(
      'CodeBuild assumes the build role for this project',
      serviceFor('codebuild.amazonaws.com', pipeline.id, naming.buildProjectArn),
      assume(naming.buildRoleArn),
    ),
    ...usesArtifacts(config, 'the build role', role(naming.buildRoleArn), stores[0], 'read-write'),
    ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) =>
      allowed('the build role writes its logs', role(naming.buildRoleArn), {
        action,
        resource: `${naming.buildLogGroupArn}:log-stream:build`,
      }),
    ),

    ...sourcePaths(config, naming, inventory, stores[0]),
  ];

  for (const target of config.targets) {
    const access = deployAccess(target, naming);
    const deployer = role(access.role);
    if (access.readsArtifacts) {
      // The store of the target's own region: CodePipeline hands the action its artifacts there.
      paths.push(
        // Deploy actions read only the build output.
        ...usesArtifacts(config, `the deploy role of ${target.name}`, deployer, storeOf(stores, target.account.region), 'read', ['build']),
      );
    }
    for (const { purpose, ...request } of access.requests) {
      paths.push(allowed(`the deploy role of ${target.name} ${purpose}`, deployer, request));
    }
    for (const serviceRole of access.serviceRoles) {
      const { service, actingFor } = serviceRole;
      paths.push(
        allowed(
          `${service} assumes ${serviceRole.name}`,
          // A service that receives the role through iam:PassRole sends no source keys: only the passing side pins it.
          actingFor ? serviceFor(service, actingFor.account, actingFor.arn) : { kind: 'service', service },
          assume(serviceRole.arn),
        ),
      );
      const untagged = [`aws:ResourceTag/${config.guardrails.productionDataTag.key}`];
      const grants = await grantRequests(serviceRole.grants, target.account, untagged);
      for (const { purpose, ...request } of [...serviceRole.requests, ...grants]) {
        paths.push(allowed(`${serviceRole.name} ${purpose}`, role(serviceRole.arn), request));
      }
    }
  }

  paths.push(...auditPaths(config, naming));
  paths.push(...secretRequiredPaths(config, naming));
  paths.push(...terraformCloudPaths(config, naming, inventory));
  return paths;
}

/** What the source kind needs: the source action, and what starts the pipeline. */
function sourcePaths(config: PipelineConfig, naming: Naming, inventory: Inventory, home: ArtifactStore): AccessPath[] {
  const { source } = config;
  const pipeline = config.pipeline.account;
  const pipelineRole = role(naming.pipelineRoleArn);
  const startsPipeline = (): AccessPath[] => [
    allowed(
      'EventBridge assumes the starter role for the start rule',
      serviceFor('events.amazonaws.com', pipeline.id, naming.startPipelineRuleArn),
      assume(naming.pipelineStarterRoleArn),
    ),
    allowed("the start rule's role starts the pipeline", role(naming.pipelineStarterRoleArn), {
      action: 'codepipeline:StartPipelineExecution',
      resource: naming.pipelineArn,
    }),
  ];

  switch (source.kind) {
    case 'codecommit': {
      const eventBus = `arn:aws:events:${pipeline.region}:${pipeline.id}:event-bus/${naming.sourceEventBus}`;
      return [
        allowed('the pipeline role assumes the source role', pipelineRole, assume(naming.sourceRoleArn)),
        ...SOURCE_ACTIONS.map((action) =>
          allowed('the source role reads the repository', role(naming.sourceRoleArn), { action, resource: naming.repositoryArn }),
        ),
        // Only the source artifact: the source role cannot touch the build output (forbiddenPaths).
        ...usesArtifacts(config, 'the source role', role(naming.sourceRoleArn), home, 'read-write', ['source']),
        setsSourceAcl('the source role', role(naming.sourceRoleArn), home),
        allowed(
          'EventBridge assumes the forwarder role for the forwarding rule',
          serviceFor('events.amazonaws.com', source.account.id, naming.forwardSourceChangesRuleArn),
          assume(naming.sourceForwarderRoleArn),
        ),
        allowed("the forwarding rule's role puts events on the pipeline account's bus", role(naming.sourceForwarderRoleArn), {
          action: 'events:PutEvents',
          resource: eventBus,
        }),
        ...startsPipeline(),
      ];
    }
    case 'connection':
      // A V2 trigger starts the pipeline: no rule, no starter role.
      return [
        ...[connectionArn(source, inventory)].map((arn) =>
          // A connection's ARN names the service prefix it was created under (codestar-connections or codeconnections).
          allowed('the pipeline role uses the connection', pipelineRole, {
            action: `${arn.split(':')[2]}:UseConnection`,
            resource: arn,
          }),
        ),
        setsSourceAcl('the pipeline role', pipelineRole, home),
      ];
    case 's3': {
      const bucket = `arn:aws:s3:::${naming.sourceBucket(source)}`;
      const object = `${bucket}/${source.objectKey}`;
      const key = source.create ? aliasArn(pipeline, naming.sourceKeyAlias) : source.kmsKeyArn;
      // An existing bucket (in the pipeline account) and its key keep policies the stacks do not show.
      const existing: Partial<Request> = source.create ? {} : { account: pipeline.id, outsideStacks: true };
      return [
        ...['s3:GetObject', 's3:GetObjectVersion'].map((action) =>
          allowed('the pipeline role reads the source object', pipelineRole, { action, resource: object, ...existing }),
        ),
        ...['s3:GetBucketLocation', 's3:GetBucketVersioning'].map((action) =>
          allowed('the pipeline role checks the source bucket', pipelineRole, { action, resource: bucket, ...existing }),
        ),
        ...(key
          ? [
              allowed('the pipeline role decrypts the source', pipelineRole, {
                action: 'kms:Decrypt',
                resource: key,
                ...existing,
              }),
            ]
          : []),
        ...(source.create
          ? source.uploaders.flatMap((uploader) => [
              allowed(
                'a named uploader uploads the source encrypted over TLS',
                { kind: 'named-role', arn: uploader },
                {
                  action: 's3:PutObject',
                  resource: object,
                  context: KMS_UPLOAD,
                },
              ),
              allowed(
                'a named uploader encrypts the source',
                { kind: 'named-role', arn: uploader },
                {
                  action: 'kms:GenerateDataKey',
                  resource: key!,
                },
              ),
            ])
          : []),
        ...startsPipeline(),
      ];
    }
  }
}

/** The connection the source action uses: the configured one, or the one the stacks create. */
function connectionArn(source: SourceOf<'connection'>, inventory: Inventory): string {
  if (source.connectionArn) return source.connectionArn;
  const created = inventory.createdArns('aws_codestarconnections_connection');
  if (created.length !== 1) throw new Error(`a connection source needs one connection in the stacks, found ${created.length}`);
  return created[0];
}

/** The pipeline account's audit and monitoring: trail, access logs, alerts and failure notifications. */
function auditPaths(config: PipelineConfig, naming: Naming): AccessPath[] {
  const { audit, monitoring } = config;
  const pipeline = config.pipeline.account;
  const paths: AccessPath[] = [];
  if (audit.trail.enabled) {
    const cloudTrail = serviceFor('cloudtrail.amazonaws.com', pipeline.id, naming.shared.trailArn);
    const bucket = `arn:aws:s3:::${naming.shared.trailBucket}`;
    const logsRole = roleArn(pipeline, naming.shared.trailLogsRole);
    paths.push(
      allowed('CloudTrail checks the trail bucket for this trail', cloudTrail, { action: 's3:GetBucketAcl', resource: bucket }),
      allowed('CloudTrail writes log files for this trail, owned by the bucket owner', cloudTrail, {
        action: 's3:PutObject',
        resource: `${bucket}/AWSLogs/${pipeline.id}/CloudTrail/${pipeline.region}/log.json.gz`,
        context: { 's3:x-amz-acl': 'bucket-owner-full-control' },
      }),
      allowed('CloudTrail reads the trail key for this trail', cloudTrail, {
        action: 'kms:DescribeKey',
        resource: aliasArn(pipeline, naming.shared.trailKeyAlias),
      }),
      // CloudTrail does not send aws:SourceArn when it assumes its CloudWatch Logs role.
      allowed(
        'CloudTrail assumes the trail logs role',
        { kind: 'service', service: 'cloudtrail.amazonaws.com' },
        assume(logsRole),
      ),
      ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) =>
        allowed('the trail logs role writes the trail log group', role(logsRole), {
          action,
          resource: `${naming.shared.trailLogGroupArn}:log-stream:${pipeline.id}_CloudTrail_${pipeline.region}`,
        }),
      ),
    );
  }
  if (monitoring.accessLogs.enabled) {
    const delivers = (logBucket: string, sourceBucket: string, account: string) =>
      allowed(
        `S3 delivers the access logs of ${sourceBucket}`,
        serviceFor('logging.s3.amazonaws.com', account, `arn:aws:s3:::${sourceBucket}`),
        { action: 's3:PutObject', resource: `arn:aws:s3:::${logBucket}/${sourceBucket}/access.log` },
      );
    // S3 delivers logs only within one region: each artifact store logs into the log bucket of its region.
    for (const store of artifactStores(config, naming)) {
      paths.push(delivers(naming.accessLogBucketIn(store.region), store.bucket, pipeline.id));
    }
    if (audit.trail.enabled) paths.push(delivers(naming.accessLogBucket, naming.shared.trailBucket, pipeline.id));
    if (config.source.kind === 's3' && config.source.create) {
      paths.push(delivers(naming.accessLogBucket, naming.sourceBucket(config.source), pipeline.id));
    }
    for (const target of config.targets) {
      if (target.deploy.kind !== 's3') continue;
      const deployTarget = { ...target, deploy: target.deploy };
      paths.push(delivers(naming.targetAccessLogBucket(target), naming.deployBucket(deployTarget), target.account.id));
    }
  }
  const publishes = (claim: string, service: string, sourceArn: string, topicArn: string) =>
    allowed(claim, serviceFor(service, pipeline.id, sourceArn), { action: 'sns:Publish', resource: topicArn });
  if (audit.alerts.enabled) {
    for (const kind of ALERT_KINDS) {
      paths.push(
        publishes(
          `the ${kind} alert rule publishes security alerts`,
          'events.amazonaws.com',
          naming.shared.securityAlertRuleArn(kind),
          naming.shared.securityAlertsTopicArn,
        ),
      );
    }
  }
  if (monitoring.notifications.enabled) {
    paths.push(
      publishes(
        'the failed-execution rule notifies',
        'events.amazonaws.com',
        naming.pipelineFailedRuleArn,
        naming.notificationsTopicArn,
      ),
      ...[naming.pipelineFailedAlarm, naming.buildFailedAlarm].map((alarm) =>
        publishes(`alarm ${alarm} notifies`, 'cloudwatch.amazonaws.com', naming.alarmArn(alarm), naming.notificationsTopicArn),
      ),
    );
  }
  return paths;
}

/** The audience Terraform Cloud puts in the workload identity tokens of AWS runs unless a workspace overrides it. */
const TERRAFORM_CLOUD_AUDIENCE = 'aws.workload.identity';
const RUN_PHASES = ['plan', 'apply'];

/** Whether the stacks include the Terraform Cloud bootstrap, which creates a run role in each account. */
function hasRunRoles(config: PipelineConfig): boolean {
  return config.backend.type === 'terraform-cloud' && config.backend.bootstrap.enabled;
}

function oidcProviderArn(account: string, hostname: string): string {
  return `arn:aws:iam::${account}:oidc-provider/${hostname}`;
}

/**
 * A run of a workspace, with the token Terraform Cloud issues for it (the
 * subject names organization, project, workspace and run phase), presented to
 * the identity provider of `account`.
 */
function run(
  account: string,
  workspace: Pick<WorkspaceStack, 'hostname' | 'organization' | 'project' | 'workspace'>,
  phase: string,
  audience = TERRAFORM_CLOUD_AUDIENCE,
): Extract<Actor, { kind: 'web-identity' }> {
  const { hostname, organization, project } = workspace;
  return {
    kind: 'web-identity',
    provider: oidcProviderArn(account, hostname),
    claims: {
      [`${hostname}:aud`]: audience,
      [`${hostname}:sub`]: `organization:${organization}:project:${project}:workspace:${workspace.workspace}:run_phase:${phase}`,
    },
  };
}

function assumeWithWebIdentity(roleArn: string): Request {
  return { action: 'sts:AssumeRoleWithWebIdentity', resource: roleArn };
}

/** The run role a workspace's runs assume: its pipeline's in its account, or the foundation's. */
function runRoleOf(workspace: WorkspaceStack, naming: Naming, inventory: Inventory): string {
  return roleArn({ id: workspace.account }, inventory.runRoles.get(workspace.stack) ?? naming.shared.terraformCloudRole);
}

/**
 * With the Terraform Cloud bootstrap, the runs of each workspace get AWS
 * credentials through a run role in their stack's account (their pipeline's
 * there, or the foundation's): every plan and apply of those workspaces may
 * assume it, and it may assume the Terraform roles the stack's providers
 * assume (whose trust is outside the stacks).
 */
function terraformCloudPaths(config: PipelineConfig, naming: Naming, inventory: Inventory): AccessPath[] {
  if (!hasRunRoles(config)) return [];
  const paths: AccessPath[] = [];
  for (const workspace of inventory.workspaceStacks) {
    const runRole = runRoleOf(workspace, naming, inventory);
    for (const phase of RUN_PHASES) {
      paths.push(
        allowed(
          `${phase} runs of workspace ${workspace.workspace} assume their run role in their account`,
          run(workspace.account, workspace, phase),
          assumeWithWebIdentity(runRole),
        ),
      );
    }
    for (const terraformRole of workspace.terraformRoles) {
      paths.push(
        allowed(`the run role assumes the Terraform role of stack ${workspace.stack}`, role(runRole), {
          ...assume(terraformRole),
          outsideStacks: true,
        }),
      );
    }
  }
  return uniquePaths(paths);
}

/**
 * A run role admits only the runs of its own workspaces (its pipeline's in
 * its account, or the foundation's there): not those of another account, nor
 * another pipeline's in the same account; only through its identity
 * provider, and no AWS principal; it assumes nothing but the Terraform roles.
 */
function terraformCloudForbiddenPaths(
  config: PipelineConfig,
  naming: Naming,
  inventory: Inventory,
  outsider: string,
): AccessPath[] {
  if (!hasRunRoles(config)) return [];
  const paths: AccessPath[] = [];
  const runRoles = [...new Set(inventory.workspaceStacks.map((w) => runRoleOf(w, naming, inventory)))].sort();
  for (const runRole of runRoles) {
    const members = inventory.workspaceStacks.filter((w) => runRoleOf(w, naming, inventory) === runRole);
    const own = members[0];
    const account = own.account;
    const roleName = runRole.slice(runRole.indexOf(':role/') + ':role/'.length);
    const assumeRunRole = assumeWithWebIdentity(runRole);
    for (const other of inventory.workspaceStacks.filter((w) => !members.includes(w))) {
      paths.push(
        denied(
          `runs of workspace ${other.workspace} (account ${other.account}) cannot assume run role ${roleName} of account ${account}`,
          run(account, other, 'apply'),
          assumeRunRole,
        ),
      );
    }
    paths.push(
      denied('a token for another audience is refused', run(account, own, 'apply', 'sts.amazonaws.com'), assumeRunRole),
      denied(
        "runs of another organization's workspace of the same name are refused",
        run(account, { ...own, organization: `${own.organization}-other` }, 'apply'),
        assumeRunRole,
      ),
      denied(
        "runs of another project's workspace of the same name are refused",
        run(account, { ...own, project: `${own.project}-other` }, 'apply'),
        assumeRunRole,
      ),
      denied(
        "a token presented through another account's identity provider is refused",
        { ...run(account, own, 'apply'), provider: oidcProviderArn(outsider, own.hostname) },
        assumeRunRole,
      ),
      denied('the run role cannot be assumed with AWS credentials', { kind: 'outsider', account: outsider }, assume(runRole)),
    );
    for (const other of inventory.roles.filter((r) => r.arn !== runRole)) {
      paths.push(
        denied('the run role cannot be assumed with AWS credentials', { kind: 'role', arn: other.arn, widened: true }, assume(runRole)),
        denied('the run role assumes only the Terraform roles', role(runRole), assume(other.arn)),
      );
    }
  }
  return paths;
}

/** An account id that is none of the topology's. */
function outsiderAccount(config: PipelineConfig): string {
  const used = new Set(topologyAccounts(config));
  let candidate = 999999999999;
  while (used.has(String(candidate))) candidate--;
  return String(candidate);
}

/** Every account the configuration puts stacks in. */
export function topologyAccounts(config: PipelineConfig): string[] {
  return [
    ...new Set([
      config.pipeline.account.id,
      ...(config.source.kind === 'codecommit' ? [config.source.account.id] : []),
      ...config.targets.map((t) => t.account.id),
    ]),
  ];
}

/** Services a role could be handed to: the deploy services, and the classic ways to run code as a role. */
const PASS_ROLE_SERVICES = [
  'cloudformation.amazonaws.com',
  'codedeploy.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'ec2.amazonaws.com',
  'lambda.amazonaws.com',
];

/** KMS actions whose grant the key policy decides (administration is delegated to the owner account's IAM). */
const KMS_CRYPTO = /^kms:(Decrypt|Encrypt|GenerateDataKey.*|ReEncrypt.*)$/;

function requestOf({ action, resource, account, context, absent }: AccessPath): Request {
  return { action, resource, ...(account ? { account } : {}), ...(context ? { context } : {}), ...(absent ? { absent } : {}) };
}

function actorArn(actor: Actor): string | undefined {
  return actor.kind === 'role' || actor.kind === 'named-role' ? actor.arn : undefined;
}

/**
 * Requests that must be denied, derived from the required ones so that every
 * new grant is also checked from the wrong side.
 */
export function forbiddenPaths(
  config: PipelineConfig,
  naming: Naming,
  allRequired: AccessPath[],
  inventory: Inventory,
  /** The required paths of every pipeline of the platform: what another pipeline's role needs is no escalation. */
  everyRequired: AccessPath[] = allRequired,
): AccessPath[] {
  // What a resource outside the stacks admits is up to its own policy, which the proof cannot see.
  const required = allRequired.filter((p) => !p.outsideStacks);
  const requiredOfAny = everyRequired.filter((p) => !p.outsideStacks);
  const outsider = outsiderAccount(config);
  const stores = artifactStores(config, naming);
  const isRequired = (arn: string, action: string, resource: string) =>
    requiredOfAny.some((p) => actorArn(p.actor) === arn && p.action === action && p.resource === resource);
  // The platform's shared keys and bus admit every role named <platform>-* of the served accounts (each role's own
  // policy and the buckets' policies narrow it); roles outside that pattern are refused.
  const shared = naming.shared;
  const isShared = (resource: string) =>
    resource.endsWith(`:${shared.artifactKeyAlias}`) ||
    resource.endsWith(`:${shared.deployKeyAlias}`) ||
    resource.endsWith(`:event-bus/${shared.sourceEventBus}`);
  const accountOfArn = (arn: string) => arn.split(':')[4];
  const paths: AccessPath[] = [];

  // Nobody outside the topology, even an administrator of its own account.
  for (const path of uniqueRequests(required)) {
    paths.push(denied('an account outside the topology is refused', { kind: 'outsider', account: outsider }, requestOf(path)));
  }

  // Each grant names exactly its role: any other role of the topology, even with every permission, is refused by the
  // resource side wherever the resource side decides (cross-account, trust policies, the use of a key).
  for (const path of required) {
    // A token is no AWS principal: which tokens a run role admits is proven in terraformCloudForbiddenPaths.
    if (path.actor.kind === 'web-identity') continue;
    const owner = path.account ?? inventory.resourceAccount(path.resource);
    const resourceDecides = path.action.startsWith('sts:') || KMS_CRYPTO.test(path.action);
    const actor = actorArn(path.actor);
    if (isShared(path.resource) && actor) {
      paths.push(
        denied(
          `only roles of platform ${shared.name} may: ${path.claim}`,
          { kind: 'named-role', arn: `arn:aws:iam::${accountOfArn(actor)}:role/outside-${shared.name}` },
          requestOf(path),
        ),
      );
      continue;
    }
    for (const other of inventory.roles) {
      if (actorArn(path.actor) === other.arn) continue;
      if (isRequired(other.arn, path.action, path.resource)) continue;
      if (!resourceDecides && other.account === owner) continue;
      paths.push(
        denied(`only the named principal may: ${path.claim}`, { kind: 'role', arn: other.arn, widened: true }, requestOf(path)),
      );
    }
  }

  // Services act only for this topology's resources (aws:SourceAccount, aws:SourceArn), and a role that trusts one
  // service cannot be assumed by another.
  const services = [...new Set(required.flatMap((p) => (p.actor.kind === 'service' ? [p.actor.service] : [])))].sort();
  for (const path of required) {
    if (path.actor.kind !== 'service') continue;
    const { service, sourceArn, sourceAccount } = path.actor;
    if (sourceArn && sourceAccount) {
      paths.push(
        denied(
          `${service} acting for another account is refused`,
          serviceFor(service, outsider, sourceArn.replace(`:${sourceAccount}:`, `:${outsider}:`)),
          requestOf(path),
        ),
        denied(
          `${service} acting for another resource of the account is refused`,
          // A bucket outside the platform's name pattern: the shared log buckets admit every <platform>-* bucket.
          serviceFor(service, sourceAccount, service === 'logging.s3.amazonaws.com' ? `arn:aws:s3:::outside-${sourceArn.slice('arn:aws:s3:::'.length)}` : `${sourceArn}-other`),
          requestOf(path),
        ),
      );
    }
    if (path.action === 'sts:AssumeRole') {
      for (const other of services.filter((s) => s !== service)) {
        paths.push(denied(`only ${service} may: ${path.claim}`, { ...path.actor, service: other }, requestOf(path)));
      }
    }
  }

  // Buckets and topics refuse requests without TLS; buckets that hold encrypted data refuse uploads that do not ask for
  // SSE-KMS.
  const kmsOnlyBuckets = [
    ...stores.map((s) => s.bucket),
    ...(config.source.kind === 's3' && config.source.create ? [naming.sourceBucket(config.source)] : []),
  ];
  for (const path of required) {
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
    if (path.action === 's3:PutObject' && kmsOnlyBuckets.some((bucket) => path.resource.startsWith(`arn:aws:s3:::${bucket}/`))) {
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

  paths.push(...encryptionContextPaths(config, naming, stores[0]));
  paths.push(...sourceForbiddenPaths(config, naming, inventory));
  if (config.source.kind === 'codecommit') {
    // The source role writes only the source artifact (lib/artifact-layout.ts): never the build output, which may be
    // waiting for an approval.
    const sourceRole = role(naming.sourceRoleArn);
    paths.push(
      denied('the source role cannot overwrite the build output', sourceRole, {
        action: 's3:PutObject',
        resource: stores[0].objects.build,
        context: KMS_UPLOAD,
      }),
      denied('the source role cannot set the ACL of the build output', sourceRole, {
        action: 's3:PutObjectAcl',
        resource: stores[0].objects.build,
      }),
    );
  }
  paths.push(...secretForbiddenPaths(config, naming, inventory));
  paths.push(...terraformCloudForbiddenPaths(config, naming, inventory, outsider));

  for (const target of config.targets) {
    const access = deployAccess(target, naming);
    const deployer = role(access.role);
    if (config.source.kind === 'codecommit') {
      paths.push(
        denied(
          `the source role cannot assume the deploy role of ${target.name}`,
          role(naming.sourceRoleArn),
          assume(access.role),
        ),
      );
    }
    const own = storeOf(stores, target.account.region);
    if (access.readsArtifacts) {
      // Deploy roles only read artifacts, and only the build output their actions consume.
      paths.push(
        denied(`the deploy role of ${target.name} cannot write artifacts`, deployer, {
          action: 's3:PutObject',
          resource: own.objects.build,
          context: KMS_UPLOAD,
        }),
        denied(`the deploy role of ${target.name} cannot delete artifacts`, deployer, {
          action: 's3:DeleteObject',
          resource: own.objects.build,
        }),
        denied(`the deploy role of ${target.name} cannot encrypt artifacts`, deployer, {
          action: 'kms:GenerateDataKey',
          resource: own.key,
          context: viaS3(own.region),
        }),
      );
      // Only the build output's prefix, in the pipeline's region; a store of another region holds only the copies
      // CodePipeline makes for the actions there (stacks/target-stack.ts).
      if (own === stores[0]) {
        paths.push(
          denied(`the deploy role of ${target.name} cannot read the source artifact`, deployer, {
            action: 's3:GetObject',
            resource: own.objects.source,
          }),
        );
      }
    } else {
      // A kind whose actions have no artifacts gets none.
      for (const store of new Set([stores[0], own])) {
        paths.push(
          denied(`the deploy role of ${target.name} cannot read artifacts`, deployer, {
            action: 's3:GetObject',
            resource: store.objects.build,
          }),
          denied(`the deploy role of ${target.name} cannot decrypt artifacts`, deployer, {
            action: 'kms:Decrypt',
            resource: store.key,
            context: viaS3(store.region),
          }),
        );
      }
    }
    paths.push(...kindForbiddenPaths(target, naming, deployer));
    // A target's role cannot touch another target or assume any other role.
    // (Two targets of one account may share a request, such as registering task definitions, which IAM grants on "*".)
    const ownRequests = access.requests.map((r) => JSON.stringify(withoutPurpose(r)));
    for (const other of config.targets.filter((t) => t !== target)) {
      for (const request of deployAccess(other, naming).requests) {
        if (ownRequests.includes(JSON.stringify(withoutPurpose(request)))) continue;
        paths.push(
          denied(
            `the deploy role of ${target.name} cannot do what ${other.name}'s does: ${request.purpose}`,
            deployer,
            withoutPurpose(request),
          ),
        );
      }
    }
    for (const other of inventory.roles.filter((r) => r.arn !== access.role)) {
      paths.push(denied(`the deploy role of ${target.name} cannot assume other roles`, deployer, assume(other.arn)));
    }
  }

  // No role can escalate: pass a role (but exactly the roles it needs, to exactly their service), create users, or
  // change a role's policies.
  const terraformRoles = [
    ...new Set(
      [
        config.pipeline.account,
        ...config.targets.map((t) => t.account),
        ...(config.source.kind === 'codecommit' ? [config.source.account] : []),
      ].map((a) => a.role),
    ),
  ];
  const namedRoles = [
    ...config.targets.flatMap((t) => deployAccess(t, naming).passedRoles),
    ...(config.source.kind === 's3' ? config.source.uploaders : []),
  ];
  for (const actor of inventory.roles) {
    const account = actor.account;
    const sameAccount = (arns: string[]) => arns.filter((arn) => accountOfArn(arn) === account);
    const passable = [
      ...new Set([...sameAccount(inventory.roles.map((r) => r.arn)), ...sameAccount(terraformRoles), ...sameAccount(namedRoles)]),
    ].sort();
    const requests: Request[] = [
      ...passable.flatMap((arn) =>
        PASS_ROLE_SERVICES.map((service) => ({
          action: 'iam:PassRole',
          resource: arn,
          context: { 'iam:PassedToService': service },
        })),
      ),
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${account}:user/escalation` },
      ...[actor.arn, ...sameAccount(terraformRoles)].flatMap((arn) => [
        {
          action: 'iam:AttachRolePolicy',
          resource: arn,
          context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
        },
        { action: 'iam:PutRolePolicy', resource: arn },
      ]),
    ];
    for (const request of requests) {
      if (everyRequired.some((p) => actorArn(p.actor) === actor.arn && sameRequest(p, request))) continue;
      paths.push(denied('no privilege escalation', role(actor.arn), request));
    }
  }
  return uniquePaths(paths);
}

/** Keys that services may use only under their own resource's encryption context (iam-simulate drops these keys, so
 * only the side without the context is evaluated; see docs/verification.md). */
function encryptionContextPaths(config: PipelineConfig, naming: Naming, home: ArtifactStore): AccessPath[] {
  const pipeline = config.pipeline.account;
  const withoutContext = (claim: string, actor: Actor, key: string, contextKey: string) =>
    denied(claim, actor, { action: 'kms:GenerateDataKey', resource: key, absent: [`kms:EncryptionContext:${contextKey}`] });
  const logs = `logs.${pipeline.region}.amazonaws.com`;
  const paths = [
    withoutContext(
      'CloudWatch Logs uses the artifact key only for the build log group',
      serviceFor(logs, pipeline.id, naming.buildLogGroupArn),
      home.key,
      'aws:logs:arn',
    ),
  ];
  if (config.audit.trail.enabled) {
    const trailKey = aliasArn(pipeline, naming.shared.trailKeyAlias);
    paths.push(
      withoutContext(
        'CloudTrail encrypts with the trail key only for its trails',
        serviceFor('cloudtrail.amazonaws.com', pipeline.id, naming.shared.trailArn),
        trailKey,
        'aws:cloudtrail:arn',
      ),
      withoutContext(
        'CloudWatch Logs uses the trail key only for the trail log group',
        serviceFor(logs, pipeline.id, naming.shared.trailLogGroupArn),
        trailKey,
        'aws:logs:arn',
      ),
    );
  }
  if (config.audit.alerts.enabled) {
    paths.push(
      withoutContext(
        'EventBridge uses the security alerts key only for its topic',
        serviceFor('events.amazonaws.com', pipeline.id, naming.shared.securityAlertRuleArn(ALERT_KINDS[0])),
        aliasArn(pipeline, naming.shared.securityAlertsKeyAlias),
        'aws:sns:topicArn',
      ),
    );
  }
  if (config.monitoring.notifications.enabled) {
    paths.push(
      withoutContext(
        'CloudWatch uses the notifications key only for its topic',
        serviceFor('cloudwatch.amazonaws.com', pipeline.id, naming.alarmArn(naming.pipelineFailedAlarm)),
        aliasArn(pipeline, naming.shared.notificationsKeyAlias),
        'aws:sns:topicArn',
      ),
    );
  }
  return paths;
}

/** Only the named uploaders put the S3 source; the pipeline role only reads it. */
function sourceForbiddenPaths(config: PipelineConfig, naming: Naming, inventory: Inventory): AccessPath[] {
  const { source } = config;
  if (source.kind !== 's3' || !source.create) return [];
  const upload: Request = {
    action: 's3:PutObject',
    resource: `arn:aws:s3:::${naming.sourceBucket(source)}/${source.objectKey}`,
    context: KMS_UPLOAD,
  };
  return [
    denied('the pipeline role cannot replace the source', role(naming.pipelineRoleArn), upload),
    ...inventory.roles
      .filter((r) => r.account === config.pipeline.account.id)
      .map((r) =>
        denied(
          'only the named uploaders put the source',
          { kind: 'role', arn: r.arn, widened: true },
          upload,
          'DenyUploadsByOthers',
        ),
      ),
  ];
}

/** What a deploy role must not do in its own account beyond its kind's needs. */
function kindForbiddenPaths(target: PipelineConfig['targets'][number], naming: Naming, deployer: Actor): AccessPath[] {
  const { deploy, account } = target;
  // Alarms are read one by one: the stage gate's and the Lambda action's, no other.
  const watched = [...(target.alarms?.names ?? []), ...(deploy.kind === 'lambda' ? deploy.alarms : [])];
  const alarms =
    watched.length > 0
      ? [
          denied(`the deploy role of ${target.name} reads only the alarms it watches`, deployer, {
            action: 'cloudwatch:DescribeAlarms',
            resource: alarmArnOf(account, `${watched[0]}-unwatched`),
          }),
        ]
      : [];
  return [...alarms, ...kindOnlyForbiddenPaths(target, naming, deployer)];
}

function kindOnlyForbiddenPaths(target: PipelineConfig['targets'][number], naming: Naming, deployer: Actor): AccessPath[] {
  const { deploy, account } = target;
  switch (deploy.kind) {
    case 'lambda': {
      const fn = `arn:aws:lambda:${account.region}:${account.id}:function:${deploy.functionName}`;
      return [
        denied(`the deploy role of ${target.name} deploys only ${deploy.functionName}`, deployer, {
          action: 'lambda:UpdateFunctionCode',
          resource: `${fn}-other`,
        }),
        denied(`the deploy role of ${target.name} cannot change the configuration (role, environment) of its function`, deployer, {
          action: 'lambda:UpdateFunctionConfiguration',
          resource: fn,
        }),
        denied(`the deploy role of ${target.name} cannot delete its function`, deployer, {
          action: 'lambda:DeleteFunction',
          resource: fn,
        }),
      ];
    }
    case 's3': {
      if (!deploy.prefix) return [];
      const bucket = `arn:aws:s3:::${naming.deployBucket({ ...target, deploy })}`;
      return [
        denied(`the deploy role of ${target.name} writes only under ${deploy.prefix}`, deployer, {
          action: 's3:PutObject',
          resource: `${bucket}/elsewhere.html`,
          context: KMS_UPLOAD,
        }),
      ];
    }
    case 'cloudformation': {
      const stack = `arn:aws:cloudformation:${account.region}:${account.id}:stack/${deploy.stackName}/verify`;
      return [
        denied(`the deploy role of ${target.name} cannot delete its stack`, deployer, {
          action: 'cloudformation:DeleteStack',
          resource: stack,
        }),
        ...(deploy.mode === 'change-set'
          ? [
              denied(`the deploy role of ${target.name} executes only change set ${deploy.changeSetName}`, deployer, {
                action: 'cloudformation:ExecuteChangeSet',
                resource: stack,
                context: { 'cloudformation:ChangeSetName': `${deploy.changeSetName}-other` },
              }),
            ]
          : []),
      ];
    }
    default:
      return [];
  }
}

function sameRequest(a: Request, b: Request): boolean {
  return (
    a.action === b.action && a.resource === b.resource && JSON.stringify(a.context ?? {}) === JSON.stringify(b.context ?? {})
  );
}

function uniqueRequests(paths: AccessPath[]): AccessPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify([p.action, p.resource, p.account ?? '', p.context ?? {}]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function uniquePaths(paths: AccessPath[]): AccessPath[] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify([p.actor, p.action, p.resource, p.account ?? '', p.context ?? {}, p.absent ?? []]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
