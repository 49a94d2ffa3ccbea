/**
 * The audit dashboards (seed 004) as structured documents: the modules encode
 * them with `Fn.jsonencode`, so the dashboard body is an HCL object in the
 * `--hcl` output, never a serialized string around tokens
 * (hashicorp/terraform-cdk#3911). Body format:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 * Strings avoid double quotes and backslashes (they do not survive cdktf's HCL output).
 */

export interface DashboardBody {
  widgets: Array<Record<string, unknown>>;
}

const WIDTH = 12;
const HEIGHT = 6;

/** Widgets two to a row, in order. */
function laidOut(widgets: Array<Record<string, unknown>>): DashboardBody {
  return { widgets: widgets.map((w, i) => ({ ...w, x: (i % 2) * WIDTH, y: Math.floor(i / 2) * HEIGHT, width: WIDTH, height: HEIGHT })) };
}

function metricWidget(title: string, region: string, metrics: unknown[][], period = 3600): Record<string, unknown> {
  return { type: 'metric', properties: { title, region, view: 'timeSeries', stat: 'Sum', period, metrics } };
}

function searchWidget(title: string, region: string, searches: Array<[string, string]>, period = 3600): Record<string, unknown> {
  return metricWidget(
    title,
    region,
    searches.map(([label, search], i) => [{ expression: `SEARCH('${search}', 'Sum', ${period})`, id: `e${i + 1}`, label }]),
    period,
  );
}

function logWidget(title: string, region: string, logGroup: string, query: string): Record<string, unknown> {
  return { type: 'log', properties: { title, region, view: 'table', query: `SOURCE '${logGroup}' | ${query}` } };
}

const CODEPIPELINE_CALLS = "filter eventSource = 'codepipeline.amazonaws.com'";

export interface PipelineDashboardInput {
  region: string;
  pipelineName: string;
  buildProject: string;
  /** The rule whose matches count the pipeline's succeeded executions. */
  succeededRule: string;
  /** The trail's log group in the tooling account; without it the Logs Insights widgets are left out. */
  trailLogGroup?: string;
  secrets?: { namespace: string; readsMetric: string; unexpectedReadsMetric: string };
}

/** One pipeline's audit dashboard: executions, builds, approvals, its CodePipeline API calls, its secrets. */
export function pipelineDashboard(input: PipelineDashboardInput): DashboardBody {
  const { region, pipelineName } = input;
  const widgets: Array<Record<string, unknown>> = [
    metricWidget(`Executions of ${pipelineName}`, region, [
      ['AWS/Events', 'MatchedEvents', 'RuleName', input.succeededRule, { label: 'succeeded' }],
      ['AWS/CodePipeline', 'FailedPipelineExecutions', 'PipelineName', pipelineName, { label: 'failed' }],
    ]),
    metricWidget(`Builds of ${input.buildProject}`, region, [
      ['AWS/CodeBuild', 'SucceededBuilds', 'ProjectName', input.buildProject, { label: 'succeeded' }],
      ['AWS/CodeBuild', 'FailedBuilds', 'ProjectName', input.buildProject, { label: 'failed' }],
    ]),
  ];
  if (input.trailLogGroup) {
    const ofPipeline = `${CODEPIPELINE_CALLS} and (requestParameters.pipelineName = '${pipelineName}' or requestParameters.name = '${pipelineName}')`;
    widgets.push(
      logWidget(
        `Approvals answered in ${pipelineName}`,
        region,
        input.trailLogGroup,
        `${ofPipeline} and eventName = 'PutApprovalResult' | fields @timestamp, requestParameters.stageName, requestParameters.actionName, requestParameters.result.status, userIdentity.arn | sort @timestamp desc`,
      ),
      logWidget(`CodePipeline API calls on ${pipelineName}`, region, input.trailLogGroup, `${ofPipeline} | stats count(*) as calls by eventName | sort calls desc`),
    );
  }
  if (input.secrets) {
    const { namespace, readsMetric, unexpectedReadsMetric } = input.secrets;
    widgets.push(
      searchWidget(`Secret reads of ${pipelineName}'s build`, region, [['reads', `{${namespace},SecretId} MetricName=${readsMetric}`]], 300),
      metricWidget(`Secret reads by anyone but ${pipelineName}'s build`, region, [[namespace, unexpectedReadsMetric, { label: 'unexpected reads' }]], 300),
    );
  }
  return laidOut(widgets);
}

export interface PlatformDashboardInput {
  region: string;
  platform: string;
  trailLogGroup?: string;
  secretsNamespace: string;
}

/**
 * The platform's overview: every pipeline of the account through metric
 * SEARCH expressions and Logs Insights groupings, so that it lists no
 * pipeline (onboarding one changes no byte of the platform stack) and still
 * shows each new one as soon as it reports.
 */
export function platformDashboard(input: PlatformDashboardInput): DashboardBody {
  const { region } = input;
  const widgets: Array<Record<string, unknown>> = [
    searchWidget('Executions failed, per pipeline', region, [['failed', '{AWS/CodePipeline,PipelineName} MetricName=FailedPipelineExecutions']]),
    searchWidget('Executions succeeded, per pipeline', region, [['succeeded', `{AWS/Events,RuleName} MetricName=MatchedEvents ${input.platform} pipeline-succeeded`]]),
    searchWidget('Build failures, per project', region, [['failed', '{AWS/CodeBuild,ProjectName} MetricName=FailedBuilds']]),
    searchWidget('Secret reads, per secret', region, [['reads', `{${input.secretsNamespace},SecretId}`], ['unexpected', `{${input.secretsNamespace}} Unexpected`]], 300),
  ];
  if (input.trailLogGroup) {
    widgets.push(
      logWidget(
        'Approvals answered, per pipeline',
        region,
        input.trailLogGroup,
        `${CODEPIPELINE_CALLS} and eventName = 'PutApprovalResult' | stats count(*) as answers by requestParameters.pipelineName, requestParameters.result.status, userIdentity.arn`,
      ),
      logWidget('CodePipeline API calls by event name', region, input.trailLogGroup, `${CODEPIPELINE_CALLS} | stats count(*) as calls by eventName | sort calls desc`),
    );
  }
  return laidOut(widgets);
}
