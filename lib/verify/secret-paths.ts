import { parameterArn, secretResourceArn } from '../build-secrets';
import type { PipelineConfig } from '../config/schema';
import type { Naming } from '../naming';
import type { AccessPath, Inventory, Request } from './paths';

/** A concrete ARN the policy's `<name>-??????` must match: Secrets Manager's suffix is six random characters. */
const SOME_SUFFIX = 'Xy12Z9';

function secretArnOf(resourceArn: string): string {
  return resourceArn.endsWith('-??????') ? `${resourceArn.slice(0, -'??????'.length)}${SOME_SUFFIX}` : resourceArn;
}

const viaService = (service: string, region: string) => ({ 'kms:ViaService': `${service}.${region}.amazonaws.com` });

/**
 * The build's secrets and parameters (none are created by the stacks: their
 * own policies are not seen, so the account's IAM decides, as for a secret
 * without a resource policy and a key with the default key policy), and the
 * pipeline's alerts on the platform's security topic.
 */
export function secretRequiredPaths(config: PipelineConfig, naming: Naming): AccessPath[] {
  const account = config.pipeline.account;
  const build = { kind: 'role' as const, arn: naming.buildRoleArn };
  const existing = { account: account.id, outsideStacks: true as const };
  const paths: AccessPath[] = [];
  const allowed = (claim: string, actor: AccessPath['actor'], request: Request): AccessPath => ({ claim, actor, ...request, expect: 'Allowed' });
  for (const secret of config.pipeline.build.secrets) {
    const arn = secretArnOf(secretResourceArn(secret, account));
    paths.push(allowed(`the build role reads secret ${secret.variable}`, build, { action: 'secretsmanager:GetSecretValue', resource: arn, ...existing }));
    if (secret.kmsKeyArn) {
      paths.push(
        allowed(`the build role decrypts secret ${secret.variable} through Secrets Manager`, build, {
          action: 'kms:Decrypt',
          resource: secret.kmsKeyArn,
          context: viaService('secretsmanager', account.region),
          ...existing,
        }),
      );
    }
  }
  for (const parameter of config.pipeline.build.parameters) {
    paths.push(
      allowed(`the build role reads parameter ${parameter.variable}`, build, {
        action: 'ssm:GetParameters',
        resource: parameterArn(parameter, account),
        ...existing,
      }),
    );
    if (parameter.kmsKeyArn) {
      paths.push(
        allowed(`the build role decrypts parameter ${parameter.variable} through Systems Manager`, build, {
          action: 'kms:Decrypt',
          resource: parameter.kmsKeyArn,
          context: viaService('ssm', account.region),
          ...existing,
        }),
      );
    }
  }
  if (config.audit.alerts.enabled) {
    const topic = naming.shared.securityAlertsTopicArn;
    const publishes = (claim: string, service: string, sourceArn: string) =>
      allowed(claim, { kind: 'service', service, sourceAccount: account.id, sourceArn }, { action: 'sns:Publish', resource: topic });
    const hasGroups = config.targets.some((t) => typeof t.approval === 'object' && (t.approval.approverGroups?.length ?? 0) > 0);
    if (hasGroups) paths.push(publishes('the approver-group rule alerts the security topic', 'events.amazonaws.com', naming.approverAlertRuleArn));
    const monitored = config.pipeline.build.secrets.length > 0 && naming.shared.trailLogGroupOf(config.audit) !== undefined;
    if (monitored) paths.push(publishes('the secret-reads alarm alerts the security topic', 'cloudwatch.amazonaws.com', naming.secretReadsAlarmArn));
  }
  return paths;
}

/**
 * Only the pipeline's own build role reads its secrets and parameters: every
 * other role of the tooling account (other pipelines' build roles included) is
 * refused, the build role reads no other secret, and it decrypts only through
 * the service that stores the value.
 */
export function secretForbiddenPaths(config: PipelineConfig, naming: Naming, inventory: Inventory): AccessPath[] {
  const account = config.pipeline.account;
  const existing = { account: account.id, outsideStacks: true as const };
  const denied = (claim: string, arn: string, request: Request): AccessPath => ({
    claim,
    actor: { kind: 'role', arn },
    ...request,
    expect: 'Denied',
  });
  const others = inventory.roles.filter((r) => r.account === account.id && r.arn !== naming.buildRoleArn);
  const reads: Array<{ what: string; request: Request }> = [
    ...config.pipeline.build.secrets.map((s) => ({
      what: `secret ${s.variable}`,
      request: { action: 'secretsmanager:GetSecretValue', resource: secretArnOf(secretResourceArn(s, account)), ...existing },
    })),
    ...config.pipeline.build.parameters.map((p) => ({
      what: `parameter ${p.variable}`,
      request: { action: 'ssm:GetParameters', resource: parameterArn(p, account), ...existing },
    })),
  ];
  const paths: AccessPath[] = [];
  for (const { what, request } of reads) {
    for (const other of others) paths.push(denied(`only ${config.name}'s build role reads its ${what}`, other.arn, request));
  }
  if (config.pipeline.build.secrets.length > 0) {
    paths.push(
      denied('the build role reads no other secret', naming.buildRoleArn, {
        action: 'secretsmanager:GetSecretValue',
        resource: `arn:aws:secretsmanager:${account.region}:${account.id}:secret:${config.platform}-unrelated-${SOME_SUFFIX}`,
        ...existing,
      }),
    );
  }
  const keyServices = [
    ...config.pipeline.build.secrets.flatMap((s) => (s.kmsKeyArn ? [{ key: s.kmsKeyArn, service: 'secretsmanager', other: 'ssm' }] : [])),
    ...config.pipeline.build.parameters.flatMap((p) => (p.kmsKeyArn ? [{ key: p.kmsKeyArn, service: 'ssm', other: 'secretsmanager' }] : [])),
  ];
  for (const { key, service, other } of keyServices) {
    const servicesOfKey = keyServices.filter((k) => k.key === key).map((k) => k.service);
    paths.push(
      denied(`the build role decrypts with ${key} only through ${service}`, naming.buildRoleArn, {
        action: 'kms:Decrypt',
        resource: key,
        absent: ['kms:ViaService'],
        ...existing,
      }),
    );
    if (!servicesOfKey.includes(other)) {
      paths.push(
        denied(`the build role decrypts with ${key} only through ${service}`, naming.buildRoleArn, {
          action: 'kms:Decrypt',
          resource: key,
          context: viaService(other, account.region),
          ...existing,
        }),
      );
    }
    for (const role of others) {
      paths.push(
        denied(`only the build role decrypts with ${key}`, role.arn, {
          action: 'kms:Decrypt',
          resource: key,
          context: viaService(service, account.region),
          ...existing,
        }),
      );
    }
  }
  return paths;
}
