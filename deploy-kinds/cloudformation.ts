import { Fn } from 'cdktf';
import type { Problem } from '../lib/config/problem';
import type { DeployOf } from '../lib/config/schema';
import { pascalCase } from '../lib/naming';
import { Role } from '../modules/iam-role';
import { passRoleTo, type Statement } from '../modules/policy-document';
import { fitsActionConfiguration, rolesInTargetAccount } from './checks';
import type { DeployKind } from './deploy-kind';

const CLOUDFORMATION = 'cloudformation.amazonaws.com';

/**
 * A CloudFormation stack in the target account, created or updated directly
 * or through a change set (create, then execute). CloudFormation changes the
 * stack as an execution role that only CloudFormation can assume and that
 * carries only the statements of the configuration, and passes only the
 * existing roles it names, each to its service; the deploy role may pass that
 * one role, to CloudFormation only. The target account's boundary allows the
 * services those statements name, and passing roles to those services.
 */
export const cloudFormationDeploy: DeployKind<'cloudformation'> = {
  readsArtifacts: true,

  problems: (target) => [
    ...sidCollisions(target.deploy),
    ...fitsActionConfiguration(target.deploy.parameterOverrides, 'deploy.parameterOverrides', 'parameter overrides'),
    ...target.deploy.executionRole.passRoles.flatMap((pass, i) =>
      rolesInTargetAccount(target, pass.roles, `deploy.executionRole.passRoles[${i}].roles`),
    ),
  ],

  steps: (deploy) => (deploy.mode === 'change-set' ? ['CreateChangeSet', 'ExecuteChangeSet'] : ['Deploy']),

  provision({ scope, provider, naming, target }) {
    const { deploy, account } = target;
    const executionRole = new Role(scope, 'cloudformation_execution_role', {
      provider,
      name: naming.cloudFormationExecutionRole(target),
      description: `Assumed by CloudFormation to change stack ${deploy.stackName}`,
      trust: { kind: 'passed-to-service', service: CLOUDFORMATION },
      statements: executionRoleStatements(deploy),
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
      boundary: {
        services: deploy.executionRole.statements.flatMap((s) => s.actions.map((action) => action.split(':')[0])),
        passRoleServices: passedRoles(deploy).map((pass) => pass.service),
      },
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

/** The roles the execution role may pass, one entry per service (the configuration may name a service twice). */
function passedRoles(deploy: DeployOf<'cloudformation'>): Array<{ service: string; roles: string[] }> {
  const byService = new Map<string, string[]>();
  for (const pass of deploy.executionRole.passRoles) {
    byService.set(pass.service, [...new Set([...(byService.get(pass.service) ?? []), ...pass.roles])]);
  }
  return [...byService].map(([service, roles]) => ({ service, roles }));
}

/** The execution role's statements: the configuration's (default sid Grant<n>), then one PassRole statement per service. */
export function executionRoleStatements(deploy: DeployOf<'cloudformation'>): Statement[] {
  return [
    ...deploy.executionRole.statements.map((s, i) => ({ sid: s.sid ?? `Grant${i + 1}`, actions: s.actions, resources: s.resources })),
    ...passedRoles(deploy).map(({ service, roles }) => passRoleTo(passRoleSid(service), roles, service)),
  ];
}

function passRoleSid(service: string): string {
  return `PassesRolesTo${pascalCase(service.replace(/\.amazonaws\.com$/, ''))}`;
}

/**
 * Statement ids must be unique in a policy: a configured sid may not repeat
 * one given before, nor a generated one (Grant<n>, PassesRolesTo<Service>),
 * and two services may not normalise to the same PassRole sid.
 */
function sidCollisions(deploy: DeployOf<'cloudformation'>): Problem[] {
  const at = 'deploy.executionRole';
  const sids: Array<{ sid: string; path: string; service?: string }> = [
    ...deploy.executionRole.statements.map((s, i) => ({ sid: s.sid ?? `Grant${i + 1}`, path: `${at}.statements[${i}]${s.sid ? '.sid' : ''}` })),
    ...deploy.executionRole.passRoles.map((p, i) => ({ sid: passRoleSid(p.service), path: `${at}.passRoles[${i}].service`, service: p.service })),
  ];
  const first = new Map<string, { path: string; service?: string }>();
  const problems: Problem[] = [];
  for (const entry of sids) {
    const seen = first.get(entry.sid);
    if (!seen) first.set(entry.sid, entry);
    // Passing roles to one service twice merges into one statement.
    else if (!(entry.service && seen.service === entry.service)) {
      problems.push({ path: entry.path, message: `gives the statement id "${entry.sid}", which ${seen.path} gives too: statement ids must be unique` });
    }
  }
  return problems;
}
