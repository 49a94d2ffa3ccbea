import { Naming } from '../lib/naming';
import { expectedCallers } from '../stacks/platform-stack';
import { type ConfigInput, generatedPipeline } from './support/configs';
import { config, pipelineOf, policyStatements, resourcesOfType, synthesize, type TerraformJson } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

function withSections(sections: Partial<Pick<ConfigInput, 'audit' | 'monitoring'>>) {
  return config({ ...generatedPipeline(2), ...sections });
}

const count = (stack: TerraformJson, type: string) => resourcesOfType(stack, type).length;
const outputs = (stack: TerraformJson) => Object.keys(stack.output ?? {}).sort();

describe('audit and monitoring, all on (the defaults)', () => {
  const platform = withSections({});
  const cfg = pipelineOf(platform);
  const { stacks } = synthesize(platform);
  const naming = new Naming(cfg);
  // The audit is the platform's: one trail, one alert topic, one log bucket per region for every pipeline.
  const base = stacks.platform;

  it("creates one multi-region, validated, KMS-encrypted trail with a CloudWatch Logs copy and every pipeline's artifact data events", () => {
    const [[, trail]] = resourcesOfType(base, 'aws_cloudtrail');
    expect(trail).toMatchObject({
      name: 'acme-audit',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      kms_key_id: '${aws_kms_key.audit_trail_key.arn}',
      cloud_watch_logs_group_arn: '${aws_cloudwatch_log_group.audit_trail_logs.arn}:*',
      s3_bucket_name: '${aws_s3_bucket.audit_trail_bucket.bucket}',
      depends_on: ['aws_s3_bucket_policy.audit_trail_bucket_policy', 'aws_iam_role_policy.audit_trail_logs_role_policy'],
    });
    expect(trail.advanced_event_selector).toEqual([
      { name: 'Management events', field_selector: [{ field: 'eventCategory', equals: ['Management'] }] },
      {
        name: 'Artifact objects of every pipeline',
        field_selector: [
          { field: 'eventCategory', equals: ['Data'] },
          { field: 'resources.type', equals: ['AWS::S3::Object'] },
          { field: 'resources.ARN', starts_with: ['arn:aws:s3:::acme-artifacts-'] },
        ],
      },
    ]);
    expect(`arn:aws:s3:::${naming.artifactBucket}`.startsWith('arn:aws:s3:::acme-artifacts-')).toBe(true);
    expect(base.resource.aws_cloudwatch_log_group.audit_trail_logs).toMatchObject({
      name: '/aws/cloudtrail/acme-audit',
      retention_in_days: 365,
      kms_key_id: '${aws_kms_key.audit_trail_key.arn}',
    });
  });

  it('lets only this trail write to its bucket, and only its own account\'s trails use its key', () => {
    const bucketPolicy = policyStatements(base, base.resource.aws_s3_bucket_policy.audit_trail_bucket_policy.policy);
    const writes = bucketPolicy.find((s) => s.sid === 'TrailWritesLogFiles');
    expect(writes.resources).toEqual([`arn:aws:s3:::${naming.shared.trailBucket}/AWSLogs/100000000001/*`]);
    expect(writes.condition).toContainEqual({ test: 'StringEquals', variable: 'aws:SourceArn', values: [naming.shared.trailArn] });
    const keyPolicy = policyStatements(base, base.resource.aws_kms_key.audit_trail_key.policy);
    expect(keyPolicy.find((s) => s.sid === 'TrailEncryptsLogFiles').condition).toEqual([
      { test: 'StringEquals', variable: 'aws:SourceArn', values: ['arn:aws:cloudtrail:eu-west-1:100000000001:trail/acme-audit'] },
      { test: 'StringLike', variable: 'kms:EncryptionContext:aws:cloudtrail:arn', values: ['arn:aws:cloudtrail:*:100000000001:trail/*'] },
    ]);
    expect(base.resource.aws_s3_bucket_server_side_encryption_configuration.audit_trail_bucket_encryption.rule[0].bucket_key_enabled).toBe(false);
  });

  it('alerts through three rules on the default bus to the encrypted security topic', () => {
    const rules = resourcesOfType(base, 'aws_cloudwatch_event_rule').map(([, rule]) => rule.name).sort();
    expect(rules).toEqual(['acme-alert-approvals', 'acme-alert-job-results', 'acme-alert-pipeline-changes']);
    for (const [, rule] of resourcesOfType(base, 'aws_cloudwatch_event_rule')) {
      expect(rule.event_bus_name).toBeUndefined();
      expect(rule.event_pattern).toContain('"detail-type" = ["AWS API Call via CloudTrail"]');
    }
    for (const [, target] of resourcesOfType(base, 'aws_cloudwatch_event_target')) {
      expect(target.arn).toBe('${aws_sns_topic.security_alerts_topic.arn}');
    }
    expect(base.resource.aws_sns_topic.security_alerts_topic.kms_master_key_id).toBe('${aws_kms_key.security_alerts_topic_key.arn}');
  });

  it('notifies on failed executions and alarms on failed executions and builds', () => {
    const pipeline = stacks['scale-pipeline'];
    expect(pipeline.resource.aws_cloudwatch_event_rule.notifications_failed_execution.event_pattern).toContain(
      '"detail" = {"pipeline" = ["acme-scale"], "state" = ["FAILED"]}',
    );
    const alarms = resourcesOfType(pipeline, 'aws_cloudwatch_metric_alarm').map(([, alarm]) => [
      alarm.namespace,
      alarm.metric_name,
      alarm.dimensions,
      alarm.alarm_actions,
    ]);
    expect(alarms).toEqual([
      ['AWS/CodeBuild', 'FailedBuilds', { ProjectName: 'acme-scale-build' }, ['${aws_sns_topic.notifications_topic.arn}']],
      ['AWS/CodePipeline', 'FailedPipelineExecutions', { PipelineName: 'acme-scale' }, ['${aws_sns_topic.notifications_topic.arn}']],
    ]);
    const topicPolicy = policyStatements(pipeline, pipeline.resource.aws_sns_topic_policy.notifications_topic_policy.policy);
    expect(topicPolicy.find((s) => s.sid === 'FailureAlarmsPublish').condition[0]).toEqual({
      test: 'ArnEquals',
      variable: 'aws:SourceArn',
      values: [
        'arn:aws:cloudwatch:eu-west-1:100000000001:alarm:acme-scale-pipeline-failed-executions',
        'arn:aws:cloudwatch:eu-west-1:100000000001:alarm:acme-scale-build-failed',
      ],
    });
  });

  it("encrypts every pipeline's notifications with the platform's one notifications key, usable by the publishers only for the platform's notification topics", () => {
    const pipeline = stacks['scale-pipeline'];
    // No key per pipeline: the topic reads the platform's key through its base stack's outputs.
    expect(pipeline.resource.aws_kms_key).toBeUndefined();
    expect(pipeline.resource.aws_sns_topic.notifications_topic.kms_master_key_id).toBe(
      '${data.terraform_remote_state.remote_scale_base.outputs.notifications_key_arn}',
    );
    expect(stacks['scale-base'].output.notifications_key_arn.value).toBe('${data.terraform_remote_state.remote_platform.outputs.notifications_key_arn}');
    expect(base.output.notifications_key_arn.value).toBe('${aws_kms_key.notifications_key.arn}');
    const keyPolicy = policyStatements(base, base.resource.aws_kms_key.notifications_key.policy);
    const services = keyPolicy.filter((s) => s.sid.endsWith('EncryptForPlatformTopics'));
    expect(services.map((s) => s.principals[0].identifiers[0]).sort()).toEqual(['cloudwatch.amazonaws.com', 'events.amazonaws.com']);
    for (const statement of services) {
      // A pattern of topic names, never a pipeline's: onboarding a pipeline does not change this policy.
      expect(statement.condition).toEqual([
        {
          test: 'ArnLike',
          variable: 'kms:EncryptionContext:aws:sns:topicArn',
          values: ['arn:aws:sns:eu-west-1:100000000001:acme-*-pipeline-notifications'],
        },
      ]);
    }
    expect(naming.notificationsTopic).toMatch(/^acme-.*-pipeline-notifications$/);
  });

  it('logs access to the artifact, trail and deploy buckets into the log bucket of their account and region, which expires them', () => {
    const logging = (stack: TerraformJson) => resourcesOfType(stack, 'aws_s3_bucket_logging').map(([, l]) => [l.bucket, l.target_bucket, l.target_prefix]);
    expect(logging(base)).toEqual([['${aws_s3_bucket.audit_trail_bucket.id}', '${aws_s3_bucket.access_logs.bucket}', `${naming.shared.trailBucket}/`]]);
    expect(logging(stacks['scale-base'])).toEqual([
      ['${aws_s3_bucket.artifact_store_bucket.id}', naming.accessLogBucket, `${naming.artifactBucket}/`],
    ]);
    const delivery = policyStatements(base, base.resource.aws_s3_bucket_policy.access_logs_policy.policy).find(
      (s) => s.sid === 'S3DeliversAccessLogs',
    );
    // Every bucket of the platform in the account, by name pattern: adding a pipeline does not change this policy.
    expect(delivery.condition).toEqual([
      { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:s3:::acme-*'] },
      { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['100000000001'] },
    ]);
    expect(base.resource.aws_s3_bucket.access_logs.bucket).toBe(naming.accessLogBucket);
    expect(base.resource.aws_s3_bucket_lifecycle_configuration.access_logs_lifecycle.rule[0].expiration).toEqual([{ days: 365 }]);
    for (const target of cfg.targets) {
      const account = stacks[`account-${target.account.name}`];
      expect(account.resource.aws_s3_bucket.access_logs.bucket).toBe(naming.targetAccessLogBucket(target));
      expect(stacks[naming.targetStack(target)].resource.aws_s3_bucket_logging.deploy_target_bucket_access_logs.target_bucket).toBe(
        naming.targetAccessLogBucket(target),
      );
    }
  });

  it('publishes the trail and both topics for other tools', () => {
    expect(outputs(base)).toEqual(expect.arrayContaining(['audit_trail_arn', 'security_alerts_topic_arn']));
    expect(outputs(stacks['scale-pipeline'])).toContain('notifications_topic_arn');
  });
});

describe('turning the trail off (an organization trail records the account)', () => {
  const { stacks } = synthesize(withSections({ audit: { trail: { enabled: false }, existingTrail: true } }));
  const base = stacks.platform;

  it('creates no trail, trail bucket, key or log group, and still alerts', () => {
    expect(count(base, 'aws_cloudtrail')).toBe(0);
    expect(Object.keys(base.resource.aws_s3_bucket).sort()).toEqual(['access_logs']);
    expect(count(base, 'aws_cloudwatch_log_group')).toBe(0);
    expect(Object.keys(base.resource.aws_kms_key).sort()).toEqual(['artifact_key', 'notifications_key', 'security_alerts_topic_key']);
    expect(count(base, 'aws_cloudwatch_event_rule')).toBe(3);
    expect(outputs(base)).not.toContain('audit_trail_arn');
  });

  it("leaves the platform's stack without roles, and so without a boundary policy", () => {
    expect(count(base, 'aws_iam_role')).toBe(0);
    expect(count(base, 'aws_iam_policy')).toBe(0);
  });
});

describe('turning the alerts off', () => {
  const { stacks } = synthesize(withSections({ audit: { alerts: { enabled: false } } }));
  const base = stacks.platform;

  it('keeps the trail and creates no alert rule or security topic', () => {
    expect(count(base, 'aws_cloudtrail')).toBe(1);
    expect(count(base, 'aws_cloudwatch_event_rule')).toBe(0);
    expect(count(base, 'aws_sns_topic')).toBe(0);
    expect(outputs(base)).not.toContain('security_alerts_topic_arn');
  });
});

describe('turning everything off', () => {
  const { stacks } = synthesize(
    withSections({
      audit: { trail: { enabled: false }, alerts: { enabled: false } },
      monitoring: { notifications: { enabled: false }, accessLogs: { enabled: false } },
    }),
  );

  it('adds nothing of audit or monitoring to any stack', () => {
    const base = stacks.platform;
    for (const type of ['aws_cloudtrail', 'aws_cloudwatch_event_rule', 'aws_sns_topic', 'aws_s3_bucket_logging', 'aws_iam_policy']) {
      expect({ type, count: count(base, type) }).toEqual({ type, count: 0 });
    }
    expect(base.resource.aws_s3_bucket).toBeUndefined();
    expect(Object.keys(stacks['scale-base'].resource.aws_s3_bucket)).toEqual(['artifact_store_bucket']);
    expect(count(stacks['scale-pipeline'], 'aws_cloudwatch_metric_alarm')).toBe(0);
    expect(resourcesOfType(stacks['scale-pipeline'], 'aws_sns_topic').map(([name]) => name)).toEqual(['approval_topic']);
    expect(Object.keys(stacks['scale-target-t1'].resource.aws_s3_bucket)).toEqual(['deploy_target_bucket']);
    expect(Object.keys(stacks['account-w1'].resource)).not.toContain('aws_s3_bucket');
  });

  it('still bounds every role', () => {
    for (const [, role] of Object.values(stacks).flatMap((stack) => resourcesOfType(stack, 'aws_iam_role'))) {
      expect(role.permissions_boundary).toBe('${aws_iam_policy.permissions_boundary.arn}');
    }
  });
});

describe('who is expected to change, steer and approve the pipeline', () => {
  const cfg = withSections({
    audit: {
      alerts: {
        pipelineAdminRoleArns: ['arn:aws:iam::100000000001:role/platform-admin'],
        approverRoleArns: ['arn:aws:iam::100000000001:role/release-manager'],
        emails: ['security@example.com'],
      },
    },
  });
  const callers = Object.fromEntries(expectedCallers(cfg).map((c) => [c.kind, c]));

  it('expects pipeline changes from Terraform\'s role and the named admins only', () => {
    expect(callers['pipeline-changes']).toMatchObject({
      eventNames: ['DeletePipeline', 'UpdatePipeline'],
      expectedRoleArns: ['arn:aws:iam::100000000001:role/terraform', 'arn:aws:iam::100000000001:role/platform-admin'],
    });
  });

  it('expects no job results at all, and approvals from the named approvers', () => {
    expect(callers['job-results']).toMatchObject({ eventNames: ['PutJobFailureResult', 'PutJobSuccessResult'], expectedRoleArns: [] });
    expect(callers.approvals).toMatchObject({ eventNames: ['PutApprovalResult'], expectedRoleArns: ['arn:aws:iam::100000000001:role/release-manager'] });
  });

  it('subscribes the configured addresses to the security topic', () => {
    const base = synthesize(cfg).stacks.platform;
    expect(resourcesOfType(base, 'aws_sns_topic_subscription').map(([name, s]) => [name, s.protocol, s.endpoint])).toEqual([
      ['security_alerts_topic_email_security_example_com', 'email', 'security@example.com'],
    ]);
    expect(base.resource.aws_cloudwatch_event_rule.security_alerts_approvals.event_pattern).toContain(
      '"arn" = [{"anything-but" = ["arn:aws:iam::100000000001:role/release-manager"]}]',
    );
  });
});
