import type { Construct } from 'constructs';
import type { SourceOf } from '../lib/config/schema';
import type { RepositoryOutput } from '../source-kinds/source-kind';
import { artifactKeys, SOURCE_ARTIFACT } from '../lib/artifact-layout';
import { artifactStatements } from '../modules/artifact-store';
import { EventRoute } from '../modules/event-route';
import { Role } from '../modules/iam-role';
import { SourceRepository } from '../modules/source-repository';
import { branchChangeEvents } from '../source-kinds/codecommit';
import { AccountStack } from './account-stack';
import type { StackContext } from './context';
import type { PipelineBaseStack } from './pipeline-base-stack';

export type { RepositoryOutput } from '../source-kinds/source-kind';

/** The CodeCommit actions a cross-account CodePipeline source action performs (seed 003). */
const CODECOMMIT_SOURCE_ACTIONS = [
  'codecommit:CancelUploadArchive',
  'codecommit:GetBranch',
  'codecommit:GetCommit',
  'codecommit:GetUploadArchiveStatus',
  'codecommit:UploadArchive',
];

/**
 * Repository account: the repository, the role the pipeline's source action
 * runs as, and the rule that forwards the branch's change events to the
 * pipeline account's bus.
 */
export class RepositoryStack extends AccountStack<RepositoryOutput> {
  constructor(scope: Construct, context: StackContext & { base: PipelineBaseStack; source: SourceOf<'codecommit'> }) {
    const { config, naming, backend, source } = context;
    const account = source.account;
    super(scope, {
      stackName: naming.repositoryStack,
      platform: config.platform,
      pipeline: config.name,
      account,
      providerAlias: 'repository',
      backend,
      guardrails: config.guardrails,
    });
    const base = this.readOutputs(context.base);

    const repository = new SourceRepository(this, 'repository', {
      provider: this.provider,
      name: source.name,
      create: source.create,
      protect: config.protectStatefulResources,
    });

    const sourceRole = new Role(this, 'source_role', {
      provider: this.provider,
      name: naming.sourceRole,
      description: `Assumed by pipeline ${naming.pipelineName} to read ${source.name} and write the source artifact`,
      trust: { kind: 'role', roleArn: naming.pipelineRoleArn },
      statements: [
        { sid: 'ReadsRepository', actions: CODECOMMIT_SOURCE_ACTIONS, resources: [repository.arn] },
        // Only the source artifact's objects (lib/artifact-layout.ts): it cannot overwrite a build output waiting for
        // approval. PutObjectAcl: a cross-account CodeCommit source action sets the object's ACL (aws-cdk #14156, #14260).
        ...artifactStatements('read-write', base.get('artifact_bucket_arn'), base.get('artifact_key_arn'), '', {
          objects: [artifactKeys(naming.pipelineName, SOURCE_ARTIFACT)],
          putAcl: true,
        }),
      ],
    });

    const forward = new EventRoute(this, 'forward_source_changes', {
      provider: this.provider,
      accountId: account.id,
      ruleName: naming.forwardSourceChangesRule,
      ruleArn: naming.forwardSourceChangesRuleArn,
      description: `Forwards changes of ${source.name}@${source.branch} to the pipeline account`,
      eventPattern: branchChangeEvents(naming.repositoryArn, source.branch),
      targetArn: base.get('source_event_bus_arn'),
      targetAction: 'events:PutEvents',
      roleName: naming.sourceForwarderRole,
    });

    this.publish('repository_name', repository.name, 'Name of the CodeCommit repository');
    this.publish('repository_arn', repository.arn, 'ARN of the CodeCommit repository');
    this.publish('repository_clone_url_http', repository.cloneUrlHttp, 'HTTPS clone URL of the repository');
    this.publish('source_role_arn', sourceRole.arn, 'Role the pipeline source action runs as');
    this.publish('source_forwarder_role_arn', forward.roleArn, 'Role that forwards change events to the pipeline account');
  }
}
