import { CodecommitRepository } from '@cdktf/provider-aws/lib/codecommit-repository';
import { DataAwsCodecommitRepository } from '@cdktf/provider-aws/lib/data-aws-codecommit-repository';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface SourceRepositoryProps {
  provider: AwsProvider;
  name: string;
  /** Create the repository, or look up one that already exists. */
  create: boolean;
  protect: boolean;
}

/** The CodeCommit repository the pipeline builds from: created here, or an existing one. */
export class SourceRepository extends Construct {
  readonly name: string;
  readonly arn: string;
  readonly cloneUrlHttp: string;

  constructor(scope: Construct, id: string, props: SourceRepositoryProps) {
    super(scope, id);
    const repository = props.create
      ? new CodecommitRepository(this, 'Default', {
          provider: props.provider,
          repositoryName: props.name,
          description: 'Source of the cross-account pipeline',
          lifecycle: { preventDestroy: props.protect },
        })
      : new DataAwsCodecommitRepository(this, 'existing', { provider: props.provider, repositoryName: props.name });
    this.name = repository.repositoryName;
    this.arn = repository.arn;
    this.cloneUrlHttp = repository.cloneUrlHttp;
  }
}
