import type { AWS_REGIONS, PipelineInput } from '../../lib/config/schema';

type Region = (typeof AWS_REGIONS)[number];
type AccountInput = { id: string; region: Region; role: string };

/**
 * Most tests describe one pipeline in the single-pipeline shape (accounts by
 * value); `config()` of support/synth.ts upgrades it into platform `acme` with
 * that one pipeline, as bin/upgrade-config does.
 */
export type TargetInput = Omit<PipelineInput['targets'][number], 'account' | 'region'> & { account: AccountInput };
export type SourceInput =
  | Exclude<PipelineInput['source'], { kind: 'codecommit' }>
  | (Omit<Extract<PipelineInput['source'], { kind: 'codecommit' }>, 'account' | 'region'> & { account: AccountInput });
export interface ConfigInput {
  project: string;
  pipeline: { account: AccountInput } & Omit<PipelineInput, 'name' | 'source' | 'targets'>;
  source: SourceInput;
  targets: TargetInput[];
  [section: string]: unknown;
}

/** The single-pipeline shape of lib/config/generate's platform: `targets` targets in waves of ten, each in its own account. */
export function generatedPipeline(targets: number): ConfigInput {
  return {
    ...baseConfig(
      Array.from({ length: targets }, (_, i) => ({
        name: `t${i + 1}`,
        account: account(String(100000000010 + i)),
        wave: `w${Math.floor(i / 10) + 1}`,
        approval: i === targets - 1 && targets > 1,
        deploy: { kind: 's3' as const },
      })),
    ),
    project: 'scale',
    pipeline: { account: account('100000000001') },
    source: { kind: 'codecommit', account: account('100000000002'), name: 'scale-app' },
  };
}

export function account(id: string, region: Region = 'eu-west-1'): AccountInput {
  return { id, region, role: `arn:aws:iam::${id}:role/terraform` };
}

/** A target of each deploy kind, each in its own account of the pipeline's region. */
export function everyKindTargets(): TargetInput[] {
  return [
    { name: 'site', account: account('300000000001'), deploy: { kind: 's3' } },
    {
      name: 'stack',
      account: account('300000000002'),
      deploy: {
        kind: 'cloudformation',
        stackName: 'orders-api',
        templatePath: 'cfn/template.yaml',
        parameterOverrides: { Version: '#{SourceVariables.CommitId}' },
        capabilities: ['CAPABILITY_AUTO_EXPAND'],
        executionRole: {
          statements: [{ actions: ['dynamodb:CreateTable', 'dynamodb:DescribeTable'], resources: ['arn:aws:dynamodb:eu-west-1:300000000002:table/orders'] }],
          passRoles: [{ service: 'lambda.amazonaws.com', roles: ['arn:aws:iam::300000000002:role/orders-function'] }],
        },
      },
    },
    {
      name: 'changes',
      account: account('300000000003'),
      deploy: {
        kind: 'cloudformation',
        stackName: 'orders-db',
        mode: 'change-set',
        executionRole: { statements: [{ sid: 'Tables', actions: ['dynamodb:CreateTable'], resources: ['*'] }] },
      },
    },
    {
      name: 'rolling',
      account: account('300000000004'),
      deploy: {
        kind: 'ecs',
        cluster: 'apps',
        service: 'orders',
        taskRoles: ['arn:aws:iam::300000000004:role/orders-task', 'arn:aws:iam::300000000004:role/orders-execution'],
        deploymentTimeoutMinutes: 30,
      },
    },
    {
      name: 'bluegreen',
      account: account('300000000005'),
      deploy: {
        kind: 'ecs-blue-green',
        cluster: 'apps',
        service: 'orders',
        taskRoles: ['arn:aws:iam::300000000005:role/orders-task'],
        imagePlaceholder: 'IMAGE1_NAME',
        productionListener: 'arn:aws:elasticloadbalancing:eu-west-1:300000000005:listener/app/orders/0123456789abcdef/0123456789abcdef',
        targetGroups: ['orders-blue', 'orders-green'],
        traffic: { type: 'linear', percentage: 10, intervalMinutes: 2 },
      },
    },
    {
      name: 'downstream',
      account: account('300000000006'),
      deploy: {
        kind: 'invoke-pipeline',
        pipelineName: 'orders-release',
        variables: { RELEASE: '#{SourceVariables.CommitId}' },
        sourceRevision: { actionName: 'Source' },
      },
    },
    {
      name: 'function',
      account: account('300000000007'),
      deploy: {
        kind: 'lambda',
        functionName: 'orders-api',
        alias: 'live',
        traffic: { type: 'linear', percentage: 25, intervalMinutes: 3 },
        alarms: ['orders-errors'],
      },
      alarms: { names: ['orders-errors', 'orders-latency'], waitMinutes: 15 },
      deploymentWindow: { cron: '0 0 8-17 ? * MON-FRI *', timeZone: 'Europe/Dublin' },
    },
  ];
}

export function baseConfig(targets: TargetInput[]): ConfigInput {
  return {
    project: 'rel',
    pipeline: { account: account('100000000001') },
    source: { kind: 'codecommit', account: account('100000000002'), name: 'orders' },
    targets,
  };
}

export const connectionSource: SourceInput = {
  kind: 'connection',
  provider: 'GitHub',
  repository: 'example-org/orders',
  branch: 'main',
  triggers: [
    { branches: { includes: ['main', 'release/*'] }, filePaths: { excludes: ['docs/**'] } },
    { tags: { includes: ['v*'] } },
  ],
};

export const s3Source: SourceInput = {
  kind: 's3',
  objectKey: 'releases/orders.zip',
  uploaders: ['arn:aws:iam::100000000001:role/release-uploader'],
};
