import { CodedeployApp } from '@cdktf/provider-aws/lib/codedeploy-app';
import { CodedeployDeploymentConfig } from '@cdktf/provider-aws/lib/codedeploy-deployment-config';
import { CodedeployDeploymentGroup } from '@cdktf/provider-aws/lib/codedeploy-deployment-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { Role } from './iam-role';
import { passRoleTo } from './policy-document';

export type TrafficShift =
  | { type: 'all-at-once' }
  | { type: 'linear' | 'canary'; percentage: number; intervalMinutes: number };

export interface CodeDeployEcsProps {
  provider: AwsProvider;
  applicationName: string;
  deploymentGroupName: string;
  /** A predefined name for all-at-once, or the name of the configuration created here. */
  deploymentConfigName: string;
  traffic: TrafficShift;
  roleName: string;
  accountId: string;
  /** The group's ARN: CodeDeploy assumes the role naming it as `aws:SourceArn`. */
  deploymentGroupArn: string;
  cluster: string;
  service: string;
  /** ARNs of the service's task sets, which CodeDeploy creates and deletes. */
  serviceArn: string;
  taskSetArns: string;
  taskRoles: string[];
  productionListener: string;
  testListener?: string;
  targetGroups: [string, string];
  terminateBlueAfterMinutes: number;
}

/**
 * A CodeDeploy application and deployment group that shift an ECS service's
 * traffic from the running task set to a new one (blue/green), all at once,
 * linearly or canary, and roll back automatically when a deployment fails.
 * CodeDeploy works as a service role limited to that service, its listeners
 * and the task roles named, which it may assume only for this deployment group.
 */
export class CodeDeployEcs extends Construct {
  readonly applicationName: string;
  readonly deploymentGroupName: string;

  constructor(scope: Construct, id: string, props: CodeDeployEcsProps) {
    super(scope, id);
    const { provider } = props;
    const listeners = [props.productionListener, ...(props.testListener ? [props.testListener] : [])];
    const role = new Role(this, 'role', {
      provider,
      name: props.roleName,
      description: `Assumed by CodeDeploy to shift traffic of ECS service ${props.service}`,
      // CodeDeploy documents aws:SourceAccount/aws:SourceArn (the deployment group) when it assumes its service role.
      trust: {
        kind: 'service',
        service: 'codedeploy.amazonaws.com',
        sourceAccount: props.accountId,
        sourceArn: props.deploymentGroupArn,
      },
      statements: [
        {
          sid: 'ReplacesTaskSets',
          actions: ['ecs:CreateTaskSet', 'ecs:DeleteTaskSet', 'ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet'],
          resources: [props.serviceArn, props.taskSetArns],
        },
        {
          // Describe calls of Elastic Load Balancing have no resource-level permissions.
          sid: 'ReadsLoadBalancing',
          actions: [
            'elasticloadbalancing:DescribeListeners',
            'elasticloadbalancing:DescribeRules',
            'elasticloadbalancing:DescribeTargetGroups',
          ],
          resources: ['*'],
        },
        {
          sid: 'ShiftsTraffic',
          actions: ['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule'],
          resources: [...listeners, ...listeners.map(listenerRules)],
        },
        ...(props.taskRoles.length > 0 ? [passRoleTo('PassesTaskRolesToEcsTasks', props.taskRoles, 'ecs-tasks.amazonaws.com')] : []),
      ],
    });
    const application = new CodedeployApp(this, 'Default', {
      provider,
      name: props.applicationName,
      computePlatform: 'ECS',
    });
    const deploymentConfigs =
      props.traffic.type === 'all-at-once'
        ? []
        : [
            new CodedeployDeploymentConfig(this, 'deployment_config', {
              provider,
              deploymentConfigName: props.deploymentConfigName,
              computePlatform: 'ECS',
              trafficRoutingConfig:
                props.traffic.type === 'linear'
                  ? {
                      type: 'TimeBasedLinear',
                      timeBasedLinear: { percentage: props.traffic.percentage, interval: props.traffic.intervalMinutes },
                    }
                  : {
                      type: 'TimeBasedCanary',
                      timeBasedCanary: { percentage: props.traffic.percentage, interval: props.traffic.intervalMinutes },
                    },
            }),
          ];
    const group = new CodedeployDeploymentGroup(this, 'deployment_group', {
      provider,
      appName: application.name,
      deploymentGroupName: props.deploymentGroupName,
      serviceRoleArn: role.arn,
      deploymentConfigName: props.deploymentConfigName,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfig: {
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: {
          action: 'TERMINATE',
          terminationWaitTimeInMinutes: props.terminateBlueAfterMinutes,
        },
      },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
      ecsService: { clusterName: props.cluster, serviceName: props.service },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.productionListener] },
          ...(props.testListener ? { testTrafficRoute: { listenerArns: [props.testListener] } } : {}),
          targetGroup: props.targetGroups.map((name) => ({ name })),
        },
      },
      // CodeDeploy checks the service role when the group is created and uses it at once; its inline policy is not an
      // argument of the group, so without this Terraform creates both in parallel (see modules/pipeline.ts).
      dependsOn: [...deploymentConfigs, ...(role.permissions ? [role.permissions] : [])],
    });
    this.applicationName = application.name;
    this.deploymentGroupName = group.deploymentGroupName;
  }
}

/** `...:listener/app/lb/1/2` → `...:listener-rule/app/lb/1/2/*`: the rules of that listener. */
function listenerRules(listenerArn: string): string {
  return `${listenerArn.replace(':listener/', ':listener-rule/')}/*`;
}
