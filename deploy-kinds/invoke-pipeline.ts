import { Fn } from 'cdktf';
import { fitsActionConfiguration } from './checks';
import type { DeployKind } from './deploy-kind';

/** StartPipelineExecution takes at most 50 variables. */
const MAX_VARIABLES = 50;

/** The invoke action's `Variables`: a JSON list of name/value pairs. */
function invokeVariables(variables: Record<string, string>): Array<{ name: string; value: string }> {
  return Object.entries(variables).map(([name, value]) => ({ name, value }));
}

/**
 * Starts a pipeline of the target account with the CodePipeline invoke action
 * (seed 001), handing on pipeline variables and, if asked, this run's source
 * revision. CodePipeline has no resource policies: the action runs as the
 * target's deploy role, which may call `codepipeline:StartPipelineExecution`
 * on that one pipeline and nothing else, not even the artifact store (the
 * action has no artifacts).
 */
export const invokePipelineDeploy: DeployKind<'invoke-pipeline'> = {
  readsArtifacts: false,

  problems: ({ deploy }) => {
    const variables = Object.entries(deploy.variables);
    return [
      ...(variables.length > MAX_VARIABLES
        ? [{ path: 'deploy.variables', message: `has ${variables.length} variables; CodePipeline passes at most ${MAX_VARIABLES}` }]
        : []),
      ...fitsActionConfiguration(invokeVariables(deploy.variables), 'deploy.variables', 'the variables'),
    ];
  },

  steps: () => ['Invoke'],

  provision({ target }) {
    const { account, deploy } = target;
    return {
      deployStatements: [
        {
          sid: 'StartsPipeline',
          actions: ['codepipeline:StartPipelineExecution'],
          resources: [`arn:aws:codepipeline:${account.region}:${account.id}:${deploy.pipelineName}`],
        },
      ],
      outputs: [],
    };
  },

  action({ target, sourceRevision }) {
    const { deploy } = target;
    const variables = invokeVariables(deploy.variables);
    return {
      category: 'Invoke',
      owner: 'AWS',
      provider: 'CodePipeline',
      version: '1',
      configuration: {
        // The plain name: an ARN fails at run time, even across accounts (seed 001).
        PipelineName: deploy.pipelineName,
        ...(variables.length > 0 ? { Variables: Fn.jsonencode(variables) } : {}),
        ...(deploy.sourceRevision
          ? {
              SourceRevisions: Fn.jsonencode([
                { actionName: deploy.sourceRevision.actionName, revisionType: sourceRevision.type, revisionValue: sourceRevision.value },
              ]),
            }
          : {}),
      },
    };
  },
};
