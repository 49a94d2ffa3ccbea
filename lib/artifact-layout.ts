/**
 * Where CodePipeline puts an artifact in the artifact store, so that roles
 * can be granted exactly the artifacts they write or read.
 *
 * CodePipeline stores each artifact as one object
 * `<pipeline name, first 20 characters>/<artifact name, first 10 characters>/<random id>`
 * (for example `CodeBuild-Python-Pip/SourceArti/1TspnN3.zip` for pipeline
 * `CodeBuild-Python-Pipeline` and artifact `SourceArtifact`). Sources:
 * - the AWS CLI reference's `aws codebuild batch-get-builds` example (a build
 *   started by a pipeline) shows such keys:
 *   `codepipeline-us-west-2-…/CodeBuild-Python-Pip/SourceArti/1TspnN3.zip` and
 *   `…/CodeBuild-Python-Pip/BuildArtif/6DJsqQa`
 *   (https://docs.aws.amazon.com/cli/latest/reference/codebuild/batch-get-builds.html);
 * - CodePipeline's troubleshooting guide, "Pipeline artifact folder name
 *   appears to be truncated" (https://docs.aws.amazon.com/codepipeline/latest/userguide/troubleshooting.html),
 *   quoted in AWS's answer on re:Post that the folder is the first 20
 *   characters of the pipeline name (https://repost.aws/questions/QUI91tw7A9SUOMohJurNqmgA);
 * - the CloudFormation user guide's ArtifactStore `Location` note proposed in
 *   awsdocs/aws-cloudformation-user-guide#733 ("first 20 characters of the
 *   pipeline name").
 *
 * Every pipeline has its own artifact bucket per region, so only the
 * artifacts of one pipeline share a bucket: their truncated names must
 * differ (checked below, at load time, for the artifacts this project names).
 */

/** Characters of the pipeline name CodePipeline keeps in an artifact's key. */
export const PIPELINE_NAME_CHARS = 20;
/** Characters of the artifact name CodePipeline keeps in an artifact's key. */
export const ARTIFACT_NAME_CHARS = 10;

/** The source action's output artifact. */
export const SOURCE_ARTIFACT = 'source_output';
/** The build action's output artifact: what every deploy action reads. */
export const BUILD_ARTIFACT = 'build_output';

/** The key prefix of one artifact's objects, e.g. `acme-api/source_out/`. */
export function artifactPrefix(pipelineName: string, artifactName: string): string {
  return `${pipelineName.slice(0, PIPELINE_NAME_CHARS)}/${artifactName.slice(0, ARTIFACT_NAME_CHARS)}/`;
}

/** The key pattern of one artifact's objects, e.g. `acme-api/source_out/*`. */
export function artifactKeys(pipelineName: string, artifactName: string): string {
  return `${artifactPrefix(pipelineName, artifactName)}*`;
}

/** The object ARN pattern of one artifact in a bucket (given by ARN, which may be a token). */
export function artifactObjects(bucketArn: string, pipelineName: string, artifactName: string): string {
  return `${bucketArn}/${artifactKeys(pipelineName, artifactName)}`;
}

/** Groups of artifact names whose objects would share a prefix; empty when every artifact has its own. */
export function prefixCollisions(artifactNames: readonly string[]): string[][] {
  const byPrefix = new Map<string, string[]>();
  for (const name of artifactNames) {
    const key = name.slice(0, ARTIFACT_NAME_CHARS);
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), name]);
  }
  return [...byPrefix.values()].filter((names) => names.length > 1);
}

const collisions = prefixCollisions([SOURCE_ARTIFACT, BUILD_ARTIFACT]);
if (collisions.length > 0) {
  // A programming error, not a configuration one: artifact names are this project's, not the user's.
  throw new Error(`artifact names share a key prefix in the artifact store: ${collisions.map((c) => c.join(' and ')).join('; ')}`);
}
