import { artifactKeys, SOURCE_ARTIFACT } from '../lib/artifact-layout';
import { EventRoute } from '../modules/event-route';
import type { SourceKind } from './source-kind';

/** The CodeCommit events of the branch, as both accounts' rules match them. */
export function branchChangeEvents(repositoryArn: string, branch: string): Record<string, unknown> {
  return {
    source: ['aws.codecommit'],
    'detail-type': ['CodeCommit Repository State Change'],
    resources: [repositoryArn],
    detail: {
      event: ['referenceCreated', 'referenceUpdated'],
      referenceType: ['branch'],
      referenceName: [branch],
    },
  };
}

/**
 * CodeCommit in a repository account (seed 003): the repository stack
 * forwards the branch's change events to the platform's bus in the tooling account,
 * whose rule starts the pipeline; the source action runs as the repository
 * account's source role. V2 triggers do not apply to CodeCommit, so the
 * branch filter lives in the event patterns.
 */
export const codeCommitSource: SourceKind<'codecommit'> = {
  revision: { type: 'COMMIT_ID', value: '#{SourceVariables.CommitId}' },

  problems(source, { pipelineAccount }) {
    return source.account.region === pipelineAccount.region
      ? []
      : [
          {
            path: 'account.region',
            message: `must be the pipeline's region (${pipelineAccount.region}): CodePipeline runs source actions in its own region`,
          },
        ];
  },

  // The source role writes only the source artifact, and sets its ACL (see ArtifactScope in modules/artifact-store.ts).
  artifactWriters: (naming, source) => [
    {
      sid: 'Source',
      accountIds: [source.account.id],
      roleArns: [naming.sourceRoleArn],
      access: 'read-write',
      objects: [artifactKeys(naming.pipelineName, SOURCE_ARTIFACT)],
      putAcl: true,
    },
  ],

  loggedBuckets: () => [],

  // The bus is the platform's (one for every pipeline); the base stack passes it on.
  base: ({ platform }) => [
    { name: 'source_event_bus_name', value: platform('source_event_bus_name'), description: 'Event bus that receives source change events' },
    { name: 'source_event_bus_arn', value: platform('source_event_bus_arn'), description: 'ARN of the event bus that receives source change events' },
  ],

  pipeline({ scope, provider, config, naming, source, base, repository }) {
    if (!repository) throw new Error('a CodeCommit source needs the repository stack');
    new EventRoute(scope, 'start_pipeline', {
      provider,
      accountId: config.pipeline.account.id,
      ruleName: naming.startPipelineRule,
      ruleArn: naming.startPipelineRuleArn,
      description: `Starts ${naming.pipelineName} when ${source.name}@${source.branch} changes`,
      eventBusName: base('source_event_bus_name'),
      // Only events the repository account forwarded.
      eventPattern: { account: [source.account.id], ...branchChangeEvents(naming.repositoryArn, source.branch) },
      targetArn: naming.pipelineArn,
      targetAction: 'codepipeline:StartPipelineExecution',
      roleName: naming.pipelineStarterRole,
    });
    return {
      action: {
        category: 'Source',
        owner: 'AWS',
        provider: 'CodeCommit',
        version: '1',
        roleArn: repository('source_role_arn'),
        configuration: {
          RepositoryName: repository('repository_name'),
          BranchName: source.branch,
          // The EventBridge rule starts the pipeline; polling would duplicate runs.
          PollForSourceChanges: 'false',
          OutputArtifactFormat: 'CODE_ZIP',
        },
      },
      statements: [],
      triggers: [],
    };
  },
};
