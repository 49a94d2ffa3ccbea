import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { parameterArn, secretReadsFilterPattern, secretResourceArn } from '../lib/build-secrets';
import type { PipelineConfig } from '../lib/config/schema';
import { type Statement, viaServices } from './policy-document';

type Build = PipelineConfig['pipeline']['build'];

/**
 * What the build role needs to resolve the build's SECRETS_MANAGER and
 * PARAMETER_STORE variables (seed 000; CodeBuild reads them as the project's
 * service role: https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html):
 * `secretsmanager:GetSecretValue` on exactly the secrets, `ssm:GetParameters`
 * on exactly the parameters, and `kms:Decrypt` on exactly their customer
 * keys, only through that service (`kms:ViaService`,
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html).
 * Secrets and parameters under the AWS managed keys (aws/secretsmanager,
 * aws/ssm) need no KMS grant: those keys admit the account's principals
 * through their service.
 */
export function buildSecretStatements(build: Build, account: { id: string; region: string }): Statement[] {
  const statements: Statement[] = [];
  const keys = (entries: Array<{ kmsKeyArn?: string }>) => [...new Set(entries.flatMap((e) => (e.kmsKeyArn ? [e.kmsKeyArn] : [])))].sort();
  if (build.secrets.length > 0) {
    statements.push({
      sid: 'ReadsBuildSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [...new Set(build.secrets.map((s) => secretResourceArn(s, account)))].sort(),
    });
    const secretKeys = keys(build.secrets);
    if (secretKeys.length > 0) {
      statements.push({
        sid: 'DecryptsBuildSecrets',
        actions: ['kms:Decrypt'],
        resources: secretKeys,
        conditions: [viaServices([`secretsmanager.${account.region}.amazonaws.com`])],
      });
    }
  }
  if (build.parameters.length > 0) {
    statements.push({
      sid: 'ReadsBuildParameters',
      actions: ['ssm:GetParameters'],
      resources: [...new Set(build.parameters.map((p) => parameterArn(p, account)))].sort(),
    });
    const parameterKeys = keys(build.parameters);
    if (parameterKeys.length > 0) {
      statements.push({
        sid: 'DecryptsBuildParameters',
        actions: ['kms:Decrypt'],
        resources: parameterKeys,
        conditions: [viaServices([`ssm.${account.region}.amazonaws.com`])],
      });
    }
  }
  return statements;
}

export interface SecretReadsMonitorProps {
  provider: AwsProvider;
  account: { id: string; region: string };
  build: Build;
  /** The log group that receives the trail's events in the tooling account. */
  trailLogGroupName: string;
  /** `<platform>/Secrets`. */
  namespace: string;
  /** Metric of every read of the pipeline's secrets (dimension SecretId), for the dashboard. */
  readsMetric: string;
  /** Metric of reads by anyone but the build role, which the alarm watches. */
  unexpectedReadsMetric: string;
  filterNamePrefix: string;
  buildRoleName: string;
  alarmName: string;
  /** Topic the alarm notifies (the platform's security alerts), when alerts are on. */
  alarmTopicArn?: string;
}

/**
 * Counts the GetSecretValue calls on the pipeline's secrets in the trail's
 * CloudWatch Logs copy (seed 004's SecretsAccessMonitor), and alarms when
 * anyone but the pipeline's build role reads one of them.
 */
export class SecretReadsMonitor extends Construct {
  constructor(scope: Construct, id: string, props: SecretReadsMonitorProps) {
    super(scope, id);
    const { provider, account, build } = props;
    new CloudwatchLogMetricFilter(this, 'reads', {
      provider,
      name: `${props.filterNamePrefix}-secret-reads`,
      logGroupName: props.trailLogGroupName,
      pattern: secretReadsFilterPattern(build, account),
      metricTransformation: {
        name: props.readsMetric,
        namespace: props.namespace,
        value: '1',
        unit: 'Count',
        dimensions: { SecretId: '$.requestParameters.secretId' },
      },
    });
    new CloudwatchLogMetricFilter(this, 'unexpected_reads', {
      provider,
      name: `${props.filterNamePrefix}-unexpected-secret-reads`,
      logGroupName: props.trailLogGroupName,
      pattern: secretReadsFilterPattern(build, account, props.buildRoleName),
      metricTransformation: { name: props.unexpectedReadsMetric, namespace: props.namespace, value: '1', unit: 'Count' },
    });
    new CloudwatchMetricAlarm(this, 'alarm', {
      provider,
      alarmName: props.alarmName,
      alarmDescription: `A secret of ${props.filterNamePrefix}'s build was read by someone other than role ${props.buildRoleName}`,
      namespace: props.namespace,
      metricName: props.unexpectedReadsMetric,
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      ...(props.alarmTopicArn ? { alarmActions: [props.alarmTopicArn] } : {}),
    });
  }
}
