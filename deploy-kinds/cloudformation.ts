import { Fn } from 'cdktf';
import { Role } from '../modules/iam-role';
import { passRoleTo, type Statement } from '../modules/policy-document';
import { fitsActionConfiguration } from './checks';
import type { DeployKind } from './deploy-kind';

const CLOUDFORMATION = 'cloudformation.amazonaws.com';

/**
 * A CloudFormation stack in the target account, created or updated directly
 * or through a change set (create, then execute). CloudFormation changes the
 * stack as an execution role that only CloudFormation can assume and that
 * carries only the statements of the configuration; the deploy role may pass
 * that one role, to CloudFormation only.
 */
export const cloudFormationDeploy: DeployKind<'cloudformation'> = {
  readsArtifacts: true,

  problems: ({ deploy }) => fitsActionConfiguration(deploy.parameterOverrides, 'deploy.parameterOverrides', 'parameter overrides'),

  steps: (deploy) => (deploy.mode === 'change-set' ? ['CreateChangeSet', 'ExecuteChangeSet'] : ['Deploy']),

  provision({ scope, provider, naming, target }) {
    const { deploy, account } = target;
    const executionRole = new Role(scope, 'cloudformation_execution_role', {
      provider,
      name: naming.cloudFormationExecutionRole(target),
      description: `Assumed by CloudFormation to change stack ${deploy.stackName}`,
      trust: { kind: 'passed-to-service', service: CLOUDFORMATION },
      statements: deploy.executionRole.statements.map((s, i) => ({
        sid: s.sid ?? `Grant${i + 1}`,
        actions: s.actions,
        resources: s.resources,
      })),
    });
    const stackArn = `arn:aws:cloudformation:${account.region}:${account.id}:stack/${deploy.stackName}/*`;
    const stackStatements: Statement[] =
      deploy.mode === 'change-set'
        ? [
            {
              sid: 'ManagesChangeSet',
              actions: [
                'cloudformation:CreateChangeSet',
                'cloudformation:DeleteChangeSet',
                'cloudformation:DescribeChangeSet',
                'cloudformation:DescribeStacks',
                'cloudformation:ExecuteChangeSet',
              ],
              resources: [stackArn],
              conditions: [
                { test: 'StringEqualsIfExists', variable: 'cloudformation:ChangeSetName', values: [deploy.changeSetName] },
              ],
            },
          ]
        : [
            {
              sid: 'CreatesUpdatesStack',
              actions: [
                'cloudformation:CreateStack',
                'cloudformation:DescribeStacks',
                'cloudformation:GetTemplate',
                'cloudformation:UpdateStack',
                // A template configuration file may carry a stack policy.
                ...(deploy.templateConfiguration ? ['cloudformation:GetStackPolicy', 'cloudformation:SetStackPolicy'] : []),
              ],
              resources: [stackArn],
            },
          ];
    return {
      deployStatements: [
        ...stackStatements,
        // CodePipeline reads the events to name the failed resource in its error message.
        { sid: 'ReadsStackEvents', actions: ['cloudformation:DescribeStackEvents'], resources: [stackArn] },
        passRoleTo('PassesExecutionRoleToCloudFormation', [naming.cloudFormationExecutionRoleArn(target)], CLOUDFORMATION),
      ],
      outputs: [
        {
          name: 'cloudformation_execution_role_arn',
          value: executionRole.arn,
          description: `Role CloudFormation assumes to change stack ${deploy.stackName}`,
        },
      ],
    };
  },

  action({ target, step, output, buildArtifact }) {
    const { deploy } = target;
    const common = { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' };
    if (step === 'ExecuteChangeSet') {
      // Executing uses the role the change set was created with; no template, no RoleArn.
      return {
        ...common,
        configuration: { ActionMode: 'CHANGE_SET_EXECUTE', StackName: deploy.stackName, ChangeSetName: deploy.changeSetName },
      };
    }
    return {
      ...common,
      inputArtifacts: [buildArtifact],
      configuration: {
        ActionMode: deploy.mode === 'change-set' ? 'CHANGE_SET_REPLACE' : 'CREATE_UPDATE',
        StackName: deploy.stackName,
        ...(deploy.mode === 'change-set' ? { ChangeSetName: deploy.changeSetName } : {}),
        TemplatePath: `${buildArtifact}::${deploy.templatePath}`,
        ...(deploy.templateConfiguration ? { TemplateConfiguration: `${buildArtifact}::${deploy.templateConfiguration}` } : {}),
        RoleArn: output('cloudformation_execution_role_arn'),
        ...(deploy.capabilities.length > 0 ? { Capabilities: deploy.capabilities.join(',') } : {}),
        ...(Object.keys(deploy.parameterOverrides).length > 0
          ? { ParameterOverrides: Fn.jsonencode(deploy.parameterOverrides) }
          : {}),
      },
    };
  },
};
