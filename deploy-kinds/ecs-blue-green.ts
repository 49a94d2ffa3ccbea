import { CodeDeployEcs } from '../modules/codedeploy-ecs';
import { inTargetAccountAndRegion, rolesInTargetAccount } from './checks';
import type { DeployKind } from './deploy-kind';
import { ecsArns, registerTaskDefinitionStatements } from './ecs-permissions';

/**
 * Blue/green deployment of an ECS service through CodeDeploy (seed 000's
 * canary and blue/green): the target stack creates the CodeDeploy
 * application, deployment group and traffic-shifting configuration; the
 * pipeline action registers the new task definition and starts a deployment
 * of that group only.
 */
export const ecsBlueGreenDeploy: DeployKind<'ecs-blue-green'> = {
  readsArtifacts: true,

  problems: (target) => [
    ...rolesInTargetAccount(target, target.deploy.taskRoles, 'deploy.taskRoles'),
    ...inTargetAccountAndRegion(target, target.deploy.productionListener, 'deploy.productionListener'),
    ...inTargetAccountAndRegion(target, target.deploy.testListener, 'deploy.testListener'),
    ...(target.deploy.targetGroups[0] === target.deploy.targetGroups[1]
      ? [{ path: 'deploy.targetGroups', message: 'blue and green must be two different target groups' }]
      : []),
  ],

  steps: () => ['Deploy'],

  provision({ scope, provider, naming, target }) {
    const { deploy, account } = target;
    const arns = ecsArns(account, deploy.cluster, deploy.service);
    const applicationName = naming.codeDeployApplication(target);
    const deploymentGroupName = naming.codeDeployDeploymentGroup(target);
    const deploymentConfigName = naming.codeDeployDeploymentConfig(target, deploy.traffic);
    const codeDeployArn = `arn:aws:codedeploy:${account.region}:${account.id}`;
    const deploymentGroupArn = `${codeDeployArn}:deploymentgroup:${applicationName}/${deploymentGroupName}`;
    const codeDeploy = new CodeDeployEcs(scope, 'codedeploy', {
      provider,
      applicationName,
      deploymentGroupName,
      deploymentConfigName,
      traffic: deploy.traffic,
      roleName: naming.codeDeployRole(target),
      accountId: account.id,
      deploymentGroupArn,
      cluster: deploy.cluster,
      service: deploy.service,
      serviceArn: arns.service,
      taskSetArns: arns.taskSets,
      taskRoles: deploy.taskRoles,
      productionListener: deploy.productionListener,
      testListener: deploy.testListener,
      targetGroups: deploy.targetGroups,
      terminateBlueAfterMinutes: deploy.terminateBlueAfterMinutes,
    });
    return {
      deployStatements: [
        {
          sid: 'RegistersRevision',
          actions: ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
          resources: [`${codeDeployArn}:application:${applicationName}`],
        },
        {
          sid: 'DeploysGroup',
          actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
          resources: [deploymentGroupArn],
        },
        {
          sid: 'ReadsDeploymentConfig',
          actions: ['codedeploy:GetDeploymentConfig'],
          resources: [`${codeDeployArn}:deploymentconfig:${deploymentConfigName}`],
        },
        ...registerTaskDefinitionStatements(arns.taskDefinitions, deploy.taskRoles),
      ],
      outputs: [
        { name: 'codedeploy_application_name', value: codeDeploy.applicationName, description: `CodeDeploy application of ${target.name}` },
        {
          name: 'codedeploy_deployment_group_name',
          value: codeDeploy.deploymentGroupName,
          description: `CodeDeploy deployment group of ${target.name}`,
        },
      ],
    };
  },

  action({ target, output, buildArtifact }) {
    const { deploy } = target;
    return {
      category: 'Deploy',
      owner: 'AWS',
      provider: 'CodeDeployToECS',
      version: '1',
      inputArtifacts: [buildArtifact],
      configuration: {
        ApplicationName: output('codedeploy_application_name'),
        DeploymentGroupName: output('codedeploy_deployment_group_name'),
        TaskDefinitionTemplateArtifact: buildArtifact,
        TaskDefinitionTemplatePath: deploy.taskDefinitionFile,
        AppSpecTemplateArtifact: buildArtifact,
        AppSpecTemplatePath: deploy.appSpecFile,
        ...(deploy.imagePlaceholder ? { Image1ArtifactName: buildArtifact, Image1ContainerName: deploy.imagePlaceholder } : {}),
      },
    };
  },
};
