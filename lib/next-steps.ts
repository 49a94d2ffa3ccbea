import type { PlatformConfig } from './config/schema';
import { Naming } from './naming';

/**
 * What someone has to do by hand after applying, which Terraform cannot do.
 * Today: complete each connection the stacks create. CodeConnections create a
 * connection PENDING; it becomes AVAILABLE only when someone with access to
 * the repository host completes the handshake in the console
 * (https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-update.html,
 * https://docs.aws.amazon.com/dtconsole/latest/userguide/welcome-connections-workflow.html;
 * the provider's aws_codestarconnections_connection documentation says the
 * same). A pipeline's V2 push trigger only starts it once the connection is
 * AVAILABLE, so the handshake belongs between applying the pipeline's base
 * stack and its pipeline stack (docs/release-flow.md, "connection").
 */
export function nextSteps(platform: PlatformConfig): string[] {
  const steps: string[] = [];
  for (const config of platform.pipelines) {
    const { source } = config;
    if (source.kind !== 'connection' || source.connectionArn) continue;
    const naming = new Naming(config);
    const { id, region } = config.pipeline.account;
    steps.push(
      `Pipeline ${config.name}: connection ${naming.sourceConnection(source)} (${source.provider}) is created PENDING by stack ` +
        `${naming.pipelineBaseStack}. After applying that stack, complete it in account ${id}: ` +
        `https://${region}.console.aws.amazon.com/codesuite/settings/connections?region=${region} > the connection > ` +
        '"Update pending connection" (someone who can install the app on the repository host), until its status is AVAILABLE ' +
        '(aws codeconnections get-connection --connection-arn <arn>). Then apply ' +
        `${naming.pipelineStack}; if it was applied while the connection was pending, push triggers are not registered: ` +
        `update the pipeline once (aws codepipeline get-pipeline --name ${naming.pipelineName} --query pipeline > p.json && ` +
        'aws codepipeline update-pipeline --pipeline file://p.json).',
    );
  }
  return steps;
}

/** The next steps as text for the console (synth, verify), or '' when there are none. */
export function formatNextSteps(platform: PlatformConfig): string {
  const steps = nextSteps(platform);
  if (steps.length === 0) return '';
  return `\nNext steps (by hand, once):\n${steps.map((step) => `- ${step}`).join('\n')}\n`;
}
