import { rolesInTargetAccount } from './checks';
import type { DeployKind } from './deploy-kind';
import { ecsArns, registerTaskDefinitionStatements } from './ecs-permissions';

/**
 * Rolling deployment of an existing ECS service: CodePipeline registers a
 * revision of the service's task definition with the images of the image
 * definitions file and updates the service. The deploy role can touch that
 * service only.
 */
export const ecsDeploy: DeployKind<'ecs'> = {
  readsArtifacts: true,

  problems: (target) => rolesInTargetAccount(target, target.deploy.taskRoles, 'deploy.taskRoles'),

  steps: () => ['Deploy'],

  provision({ target }) {
    const { deploy } = target;
    const arns = ecsArns(target.account, deploy.cluster, deploy.service);
    return {
      deployStatements: [
        { sid: 'UpdatesService', actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [arns.service] },
        { sid: 'WatchesServiceTasks', actions: ['ecs:DescribeTasks'], resources: [arns.tasks] },
        {
          sid: 'ListsClusterTasks',
          actions: ['ecs:ListTasks'],
          resources: ['*'],
          conditions: [{ test: 'ArnEquals', variable: 'ecs:cluster', values: [arns.cluster] }],
        },
        ...registerTaskDefinitionStatements(arns.taskDefinitions, deploy.taskRoles),
      ],
      outputs: [],
    };
  },

  action({ target, buildArtifact }) {
    const { deploy } = target;
    return {
      category: 'Deploy',
      owner: 'AWS',
      provider: 'ECS',
      version: '1',
      inputArtifacts: [buildArtifact],
      configuration: {
        ClusterName: deploy.cluster,
        ServiceName: deploy.service,
        FileName: deploy.imageDefinitionsFile,
        ...(deploy.deploymentTimeoutMinutes ? { DeploymentTimeout: String(deploy.deploymentTimeoutMinutes) } : {}),
      },
    };
  },
};
