import type { CodepipelineTriggerGitConfigurationPush } from '@cdktf/provider-aws/lib/codepipeline';
import { CodestarconnectionsConnection } from '@cdktf/provider-aws/lib/codestarconnections-connection';
import { artifactObjects, SOURCE_ARTIFACT } from '../lib/artifact-layout';
import { arnAccount, arnRegion } from '../lib/config/problem';
import type { SourceOf } from '../lib/config/schema';
import type { SourceKind } from './source-kind';

/** CodeConnections limit connection names to 32 characters. */
const CONNECTION_NAME_MAX = 32;

/**
 * A GitHub, GitLab or Bitbucket repository through a CodeConnections
 * connection of the pipeline account. The pipeline role uses the connection
 * (nothing else may); V2 push triggers with branch, tag and file-path
 * filters start the pipeline. Pull-request triggers are left out on purpose:
 * a release pipeline must not deploy code that is not merged.
 */
export const connectionSource: SourceKind<'connection'> = {
  revision: { type: 'COMMIT_ID', value: '#{SourceVariables.CommitId}' },

  problems(source, { project, pipelineAccount }) {
    if (source.connectionArn) {
      const { id, region } = pipelineAccount;
      return arnAccount(source.connectionArn) === id && arnRegion(source.connectionArn) === region
        ? []
        : [{ path: 'connectionArn', message: `must be a connection of the pipeline account ${id} in ${region}` }];
    }
    const name = `${project}-${source.provider.toLowerCase()}`;
    return name.length <= CONNECTION_NAME_MAX
      ? []
      : [
          {
            path: 'provider',
            message: `gives the connection name "${name}" (${name.length} characters); CodeConnections allow ${CONNECTION_NAME_MAX}, so give connectionArn`,
          },
        ];
  },

  artifactWriters: () => [],

  loggedBuckets: () => [],

  base({ scope, provider, config, naming, source }) {
    if (source.connectionArn) return [];
    // Created PENDING: someone with access to the repository host completes it once in the console.
    const connection = new CodestarconnectionsConnection(scope, 'source_connection', {
      provider,
      name: naming.sourceConnection(source),
      providerType: source.provider,
      lifecycle: { preventDestroy: config.protectStatefulResources },
    });
    return [{ name: 'source_connection_arn', value: connection.arn, description: `Connection to ${source.provider}` }];
  },

  pipeline({ source, base, naming }) {
    const connectionArn = source.connectionArn ?? base('source_connection_arn');
    return {
      action: {
        category: 'Source',
        owner: 'AWS',
        provider: 'CodeStarSourceConnection',
        version: '1',
        configuration: {
          ConnectionArn: connectionArn,
          FullRepositoryId: source.repository,
          BranchName: source.branch,
          OutputArtifactFormat: 'CODE_ZIP',
        },
      },
      statements: [
        {
          // The service was renamed CodeConnections; connections carry either prefix.
          sid: 'UsesSourceConnection',
          actions: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
          resources: [connectionArn],
        },
        {
          // The pipeline role writes the source artifact of a connection and sets its ACL; without this the action
          // fails with "Upload to S3 failed with the following error: Access Denied" (aws-cdk #13557, fixed by #13637).
          // Only the source artifact's objects (lib/artifact-layout.ts); see ArtifactScope in modules/artifact-store.ts.
          sid: 'SetsSourceArtifactAcl',
          actions: ['s3:PutObjectAcl'],
          resources: [artifactObjects(base('artifact_bucket_arn'), naming.pipelineName, SOURCE_ARTIFACT)],
        },
      ],
      triggers: [
        {
          providerType: 'CodeStarSourceConnection',
          gitConfiguration: { sourceActionName: 'Source', push: pushFilters(source) },
        },
      ],
    };
  },
};

function pushFilters(source: SourceOf<'connection'>): CodepipelineTriggerGitConfigurationPush[] {
  const filters = source.triggers ?? [{ branches: { includes: [source.branch] } }];
  return filters.map((filter) => ({ branches: filter.branches, filePaths: filter.filePaths, tags: filter.tags }));
}
