import type { AccountConfig } from '../lib/config/schema';
import { passRoleTo, type Statement } from '../modules/policy-document';

/** ARNs of an ECS service and what belongs to it, in one account and region. */
export function ecsArns(account: Pick<AccountConfig, 'id' | 'region'>, cluster: string, service: string) {
  const prefix = `arn:aws:ecs:${account.region}:${account.id}`;
  return {
    cluster: `${prefix}:cluster/${cluster}`,
    service: `${prefix}:service/${cluster}/${service}`,
    tasks: `${prefix}:task/${cluster}/*`,
    taskSets: `${prefix}:task-set/${cluster}/${service}/*`,
    taskDefinitions: `${prefix}:task-definition/*`,
  };
}

/**
 * Registering a new task definition revision: what both ECS deploy kinds do
 * before they roll it out. Describe has no resource type, and register no
 * working resource-level permission yet (a reviewed exception of the rule
 * suite), so `*` is the resource that works; what a revision can do is
 * bounded by the roles it may carry, and `iam:PassRole` names those exactly,
 * for ECS tasks only.
 */
export function registerTaskDefinitionStatements(taskDefinitionArns: string, taskRoles: string[]): Statement[] {
  const statements: Statement[] = [
    {
      sid: 'RegistersTaskDefinitions',
      actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
      resources: ['*'],
    },
    {
      // Revisions copy the tags of the one they replace; tagging is allowed only while registering.
      sid: 'TagsNewTaskDefinitions',
      actions: ['ecs:TagResource'],
      resources: [taskDefinitionArns],
      conditions: [{ test: 'StringEquals', variable: 'ecs:CreateAction', values: ['RegisterTaskDefinition'] }],
    },
  ];
  if (taskRoles.length > 0) statements.push(passRoleTo('PassesTaskRolesToEcsTasks', taskRoles, 'ecs-tasks.amazonaws.com'));
  return statements;
}
