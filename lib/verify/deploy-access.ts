import type { AccountConfig, DeployKindName, TargetConfig, TargetOf } from '../config/schema';
import type { Naming } from '../naming';
import type { Request } from './paths';

/** A request a role of a target needs, with what it is for. */
export interface PurposefulRequest extends Request {
  purpose: string;
}

/** A statement of the configuration that a role must be able to exercise (the CloudFormation execution role's). */
export interface ConfiguredGrant {
  sid?: string;
  actions: string[];
  resources: string[];
}

/** A role that an AWS service assumes to do part of a deploy kind's work (it trusts only that service). */
export interface ServiceRoleAccess {
  /** In words, e.g. `the CloudFormation execution role of staging`. */
  name: string;
  arn: string;
  service: string;
  /**
   * The resource the service assumes the role for, which it names in
   * aws:SourceAccount/aws:SourceArn; absent for a service that receives the
   * role through iam:PassRole and sends no source keys.
   */
  actingFor?: { account: string; arn: string };
  requests: PurposefulRequest[];
  /** Statements the configuration gives the role; each becomes representative requests. */
  grants: ConfiguredGrant[];
}

export interface DeployAccess {
  /** The role the pipeline assumes for the target's actions. */
  role: string;
  /** Whether the kind's actions read the build output, so the role must read the store of its region. */
  readsArtifacts: boolean;
  /** What the role must be able to do in its own account. */
  requests: PurposefulRequest[];
  serviceRoles: ServiceRoleAccess[];
  /** Roles the configuration names that the kind hands to a service (ECS task roles, roles a template needs); no stack creates them. */
  passedRoles: string[];
}

/** Stands for ids only AWS assigns (a stack id, a task id): the policies grant by name, never by id. */
const SOME_ID = 'verify';
const ECS_TASKS = 'ecs-tasks.amazonaws.com';

/**
 * What each deploy kind needs in its target account, stated here from what
 * CodePipeline's actions call (not read from deploy-kinds/, whose grants are
 * what is being proven). The map is exhaustive over the configuration's deploy
 * kinds, so a new kind does not compile until it says what its roles must be
 * allowed to do; the forbidden paths (other targets, outsiders, no TLS) are
 * derived from these requests.
 */
const DEPLOY_KINDS: { [K in DeployKindName]: (target: TargetOf<K>, naming: Naming) => DeployAccess } = {
  s3: (target, naming) => {
    const bucket = `arn:aws:s3:::${naming.deployBucket(target)}`;
    return {
      role: naming.deployRoleArn(target),
      readsArtifacts: true,
      requests: [
        {
          purpose: 'extracts the build output into the deploy bucket',
          action: 's3:PutObject',
          resource: `${bucket}/${target.deploy.prefix}index.html`,
          context: KMS_UPLOAD,
        },
        { purpose: 'locates the deploy bucket', action: 's3:GetBucketLocation', resource: bucket },
        {
          purpose: 'encrypts with the deploy bucket key',
          action: 'kms:GenerateDataKey',
          resource: aliasArn(target.account, naming.deployKeyAlias),
          // The account's shared deploy key admits the platform's roles only through S3.
          context: { 'kms:ViaService': `s3.${target.account.region}.amazonaws.com` },
        },
      ],
      serviceRoles: [],
      passedRoles: [],
    };
  },

  cloudformation: (target, naming) => {
    const { deploy, account } = target;
    const stack = `arn:aws:cloudformation:${account.region}:${account.id}:stack/${deploy.stackName}/${SOME_ID}`;
    const executionRole = naming.cloudFormationExecutionRoleArn(target);
    const stackRequest = (purpose: string, action: string, extra: Partial<Request> = {}): PurposefulRequest => ({
      purpose,
      action,
      resource: stack,
      ...extra,
    });
    const changeSet = { context: { 'cloudformation:ChangeSetName': deploy.changeSetName } };
    const stackRequests =
      deploy.mode === 'change-set'
        ? [
            stackRequest('creates the change set', 'cloudformation:CreateChangeSet', changeSet),
            stackRequest('reviews the change set', 'cloudformation:DescribeChangeSet', changeSet),
            stackRequest('executes the change set', 'cloudformation:ExecuteChangeSet', changeSet),
            stackRequest('replaces an old change set', 'cloudformation:DeleteChangeSet', changeSet),
            // DescribeStacks has no change set name to carry: the grant's StringEqualsIfExists must let it through.
            stackRequest('reads the stack', 'cloudformation:DescribeStacks', { absent: ['cloudformation:ChangeSetName'] }),
          ]
        : [
            stackRequest('creates the stack', 'cloudformation:CreateStack'),
            stackRequest('updates the stack', 'cloudformation:UpdateStack'),
            stackRequest('reads the stack', 'cloudformation:DescribeStacks'),
            ...(deploy.templateConfiguration
              ? [
                  stackRequest("applies the template configuration's stack policy", 'cloudformation:SetStackPolicy'),
                  stackRequest('reads the stack policy', 'cloudformation:GetStackPolicy'),
                ]
              : []),
          ];
    return {
      role: naming.deployRoleArn(target),
      readsArtifacts: true,
      requests: [
        ...stackRequests,
        stackRequest('reads the stack events of a failed deployment', 'cloudformation:DescribeStackEvents'),
        {
          purpose: 'passes the execution role to CloudFormation',
          action: 'iam:PassRole',
          resource: executionRole,
          context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
        },
      ],
      serviceRoles: [
        {
          name: `the CloudFormation execution role of ${target.name}`,
          arn: executionRole,
          service: 'cloudformation.amazonaws.com',
          // Each existing role the template needs, handed to exactly its service.
          requests: deploy.executionRole.passRoles.flatMap(({ service, roles }) =>
            roles.map((role) => passRole(`hands ${role.split('/').pop()} to ${service}`, role, service)),
          ),
          grants: deploy.executionRole.statements,
        },
      ],
      passedRoles: deploy.executionRole.passRoles.flatMap((pass) => pass.roles),
    };
  },

  ecs: (target, naming) => {
    const { deploy, account } = target;
    const ecs = ecsArns(account, deploy.cluster, deploy.service);
    return {
      role: naming.deployRoleArn(target),
      readsArtifacts: true,
      requests: [
        { purpose: 'reads the service', action: 'ecs:DescribeServices', resource: ecs.service },
        { purpose: 'rolls out the new task definition', action: 'ecs:UpdateService', resource: ecs.service },
        { purpose: 'watches the new tasks', action: 'ecs:DescribeTasks', resource: ecs.task },
        {
          purpose: "lists the cluster's tasks",
          action: 'ecs:ListTasks',
          resource: ecs.containerInstance,
          context: { 'ecs:cluster': ecs.cluster },
        },
        ...registerTaskDefinition(account, ecs, deploy.taskRoles),
      ],
      serviceRoles: [],
      passedRoles: deploy.taskRoles,
    };
  },

  'ecs-blue-green': (target, naming) => {
    const { deploy, account } = target;
    const ecs = ecsArns(account, deploy.cluster, deploy.service);
    const codeDeploy = `arn:aws:codedeploy:${account.region}:${account.id}`;
    const application = `${codeDeploy}:application:${naming.codeDeployApplication(target)}`;
    const group = `${codeDeploy}:deploymentgroup:${naming.codeDeployApplication(target)}/${naming.codeDeployDeploymentGroup(
      target,
    )}`;
    const listeners = [deploy.productionListener, ...(deploy.testListener ? [deploy.testListener] : [])];
    return {
      role: naming.deployRoleArn(target),
      readsArtifacts: true,
      requests: [
        { purpose: 'reads the CodeDeploy application', action: 'codedeploy:GetApplication', resource: application },
        { purpose: 'registers the revision', action: 'codedeploy:RegisterApplicationRevision', resource: application },
        { purpose: 'reads the revision', action: 'codedeploy:GetApplicationRevision', resource: application },
        { purpose: 'starts the blue/green deployment', action: 'codedeploy:CreateDeployment', resource: group },
        { purpose: 'follows the deployment', action: 'codedeploy:GetDeployment', resource: group },
        {
          purpose: 'reads the traffic-shifting configuration',
          action: 'codedeploy:GetDeploymentConfig',
          resource: `${codeDeploy}:deploymentconfig:${naming.codeDeployDeploymentConfig(target, deploy.traffic)}`,
        },
        ...registerTaskDefinition(account, ecs, deploy.taskRoles),
      ],
      serviceRoles: [
        {
          name: `the CodeDeploy role of ${target.name}`,
          arn: naming.codeDeployRoleArn(target),
          service: 'codedeploy.amazonaws.com',
          actingFor: { account: account.id, arn: group },
          requests: [
            { purpose: 'reads the service', action: 'ecs:DescribeServices', resource: ecs.service },
            { purpose: 'creates the green task set', action: 'ecs:CreateTaskSet', resource: ecs.taskSet },
            { purpose: 'removes the blue task set', action: 'ecs:DeleteTaskSet', resource: ecs.taskSet },
            { purpose: 'makes the green task set primary', action: 'ecs:UpdateServicePrimaryTaskSet', resource: ecs.service },
            ...['DescribeListeners', 'DescribeRules', 'DescribeTargetGroups'].map((name) => ({
              purpose: 'reads the load balancer',
              action: `elasticloadbalancing:${name}`,
              resource: '*',
              account: account.id,
            })),
            ...listeners.flatMap((listener) => [
              { purpose: 'shifts traffic on a listener', action: 'elasticloadbalancing:ModifyListener', resource: listener },
              {
                purpose: "shifts traffic on a listener's rules",
                action: 'elasticloadbalancing:ModifyRule',
                resource: `${listener.replace(':listener/', ':listener-rule/')}/${SOME_ID}`,
              },
            ]),
            ...deploy.taskRoles.map((role) => passRole('hands a task role to the new tasks', role, ECS_TASKS)),
          ],
          grants: [],
        },
      ],
      passedRoles: deploy.taskRoles,
    };
  },

  'invoke-pipeline': (target, naming) => ({
    role: naming.deployRoleArn(target),
    // The invoke action has no input artifacts.
    readsArtifacts: false,
    requests: [
      {
        purpose: "starts the target account's pipeline",
        action: 'codepipeline:StartPipelineExecution',
        resource: `arn:aws:codepipeline:${target.account.region}:${target.account.id}:${target.deploy.pipelineName}`,
      },
    ],
    serviceRoles: [],
    passedRoles: [],
  }),

  // https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-LambdaDeploy.html (service role permissions)
  lambda: (target, naming) => {
    const { deploy, account } = target;
    const fn = `arn:aws:lambda:${account.region}:${account.id}:function:${deploy.functionName}`;
    const logGroup = `arn:aws:logs:${account.region}:${account.id}:log-group:/${account.region}/codepipeline/${naming.pipelineName}`;
    return {
      role: naming.deployRoleArn(target),
      readsArtifacts: true,
      requests: [
        { purpose: 'reads the function', action: 'lambda:GetFunctionConfiguration', resource: fn },
        { purpose: 'uploads the new code', action: 'lambda:UpdateFunctionCode', resource: fn },
        { purpose: 'publishes the new version', action: 'lambda:PublishVersion', resource: fn },
        { purpose: 'reads the alias', action: 'lambda:GetAlias', resource: `${fn}:${deploy.alias}` },
        { purpose: 'shifts the alias to the new version', action: 'lambda:UpdateAlias', resource: `${fn}:${deploy.alias}` },
        // lambda:GetProvisionedConcurrencyConfig is granted (action reference) but not proven: its resource is an alias or
        // a version, whose ARNs have the same form, so the evaluation engine cannot tell which one a request names.
        { purpose: 'creates the action log group', action: 'logs:CreateLogGroup', resource: logGroup },
        ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
          purpose: 'writes the action logs',
          action,
          resource: `${logGroup}:log-stream:${SOME_ID}`,
        })),
        ...deploy.alarms.map((name) => ({
          purpose: `watches alarm ${name} while traffic shifts`,
          action: 'cloudwatch:DescribeAlarms',
          resource: alarmArnOf(account, name),
        })),
      ],
      serviceRoles: [],
      passedRoles: [],
    };
  },
};

/**
 * The CloudWatchAlarm rules of a target's stage gate run as its deploy role,
 * in its account and region, where the alarms are
 * (https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html).
 */
function alarmGateRequests(target: TargetConfig): PurposefulRequest[] {
  return (target.alarms?.names ?? []).map((name) => ({
    purpose: `reads alarm ${name} for the stage gate`,
    action: 'cloudwatch:DescribeAlarms',
    resource: alarmArnOf(target.account, name),
  }));
}

export function alarmArnOf(account: { id: string; region: string }, name: string): string {
  return `arn:aws:cloudwatch:${account.region}:${account.id}:alarm:${name}`;
}

export function deployAccess(target: TargetConfig, naming: Naming): DeployAccess {
  // Sound: DEPLOY_KINDS maps each kind to the function for targets of exactly that kind.
  const access = DEPLOY_KINDS[target.deploy.kind] as (t: TargetConfig, n: Naming) => DeployAccess;
  const kind = access(target, naming);
  const seen = new Set(kind.requests.map((r) => `${r.action} ${r.resource}`));
  const gate = alarmGateRequests(target).filter((r) => !seen.has(`${r.action} ${r.resource}`));
  return { ...kind, requests: [...kind.requests, ...gate] };
}

export const KMS_UPLOAD = { 's3:x-amz-server-side-encryption': 'aws:kms' };

export function aliasArn(account: { id: string; region: string }, alias: string): string {
  return `arn:aws:kms:${account.region}:${account.id}:${alias}`;
}

function passRole(purpose: string, role: string, service: string): PurposefulRequest {
  return { purpose, action: 'iam:PassRole', resource: role, context: { 'iam:PassedToService': service } };
}

type EcsArns = ReturnType<typeof ecsArns>;

function ecsArns(account: Pick<AccountConfig, 'id' | 'region'>, cluster: string, service: string) {
  const prefix = `arn:aws:ecs:${account.region}:${account.id}`;
  return {
    cluster: `${prefix}:cluster/${cluster}`,
    containerInstance: `${prefix}:container-instance/${cluster}/${SOME_ID}`,
    service: `${prefix}:service/${cluster}/${service}`,
    task: `${prefix}:task/${cluster}/${SOME_ID}`,
    taskSet: `${prefix}:task-set/${cluster}/${service}/${SOME_ID}`,
    taskDefinition: `${prefix}:task-definition/${service}:1`,
  };
}

/** What both ECS kinds do before rolling out: register a revision of the task definition, with its tags and roles. */
function registerTaskDefinition(account: AccountConfig, ecs: EcsArns, taskRoles: string[]): PurposefulRequest[] {
  return [
    // DescribeTaskDefinition has no resource type in IAM: it is authorized on "*" in the target account.
    { purpose: 'reads the current task definition', action: 'ecs:DescribeTaskDefinition', resource: '*', account: account.id },
    { purpose: 'registers the new task definition', action: 'ecs:RegisterTaskDefinition', resource: ecs.taskDefinition },
    {
      purpose: 'copies the tags onto the new revision',
      action: 'ecs:TagResource',
      resource: ecs.taskDefinition,
      context: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    },
    ...taskRoles.map((role) => passRole('hands a task role to the new revision', role, ECS_TASKS)),
  ];
}
