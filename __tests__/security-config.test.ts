import { validateConfig } from '../lib/config/load';
import { generateConfig, type ConfigInput } from '../lib/config/generate';
import { problemsOf } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

function withSections(sections: Record<string, unknown>): any {
  return { ...(JSON.parse(JSON.stringify(generateConfig(2))) as ConfigInput), ...sections };
}

describe('the guardrails, audit and monitoring sections', () => {
  it('default to everything on: trail, alerts, notifications, access logs, and the seed\'s production tag', () => {
    const config = validateConfig(generateConfig(1));
    expect(config.guardrails).toEqual({ productionDataTag: { key: 'Environment', value: 'production' } });
    expect(config.audit).toEqual({
      trail: { enabled: true, logRetentionDays: 365 },
      existingTrail: false,
      alerts: { enabled: true, pipelineAdminRoleArns: [], approverRoleArns: [], emails: [] },
    });
    expect(config.monitoring).toEqual({
      notifications: { enabled: true, emails: [] },
      accessLogs: { enabled: true, retentionDays: 365 },
    });
  });

  it('reject alerts without any trail to feed them', () => {
    expect(problemsOf(withSections({ audit: { trail: { enabled: false } } }))).toEqual([
      {
        path: 'audit.alerts.enabled',
        message: expect.stringMatching(/^alerts need a trail .*audit\.existingTrail: true when an organization trail does$/),
      },
    ]);
    expect(() => validateConfig(withSections({ audit: { trail: { enabled: false }, existingTrail: true } }))).not.toThrow();
    expect(() => validateConfig(withSections({ audit: { trail: { enabled: false }, alerts: { enabled: false } } }))).not.toThrow();
  });

  it('reject alert roles outside the pipeline account, naming each', () => {
    const raw = withSections({
      audit: {
        alerts: {
          pipelineAdminRoleArns: ['arn:aws:iam::100000000001:role/admin', 'arn:aws:iam::999999999999:role/admin'],
          approverRoleArns: ['arn:aws:iam::888888888888:role/approver'],
        },
      },
    });
    expect(problemsOf(raw)).toEqual([
      { path: 'audit.alerts.pipelineAdminRoleArns[1]', message: expect.stringContaining('role is in account 999999999999') },
      { path: 'audit.alerts.approverRoleArns[0]', message: expect.stringContaining('only roles of the pipeline account (100000000001)') },
    ]);
  });

  it('reject malformed and repeated email addresses', () => {
    const raw = withSections({
      audit: { alerts: { emails: ['ops@example.com', 'OPS@example.com'] } },
      monitoring: { notifications: { emails: ['not-an-address'] } },
    });
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        { path: 'audit.alerts.emails[1]', message: 'duplicate email address "ops@example.com" (first used at audit.alerts.emails[0])' },
        { path: 'monitoring.notifications.emails[0]', message: 'must be an email address, got "not-an-address"' },
      ]),
    );
  });

  it('reject trail and log bucket names S3 would refuse, naming the field they derive from', () => {
    // 29 characters keep the artifact bucket at 62 and push the trail and log buckets past 63.
    const project = 'p'.repeat(29);
    const raw = withSections({ project });
    raw.targets[0].name = 'abcdefgh';
    const names = problemsOf(raw).map((p) => [p.path, /"([^"]+)"/.exec(p.message)?.[1]]);
    expect(names).toEqual([
      ['project', `${project}-audit-trail-100000000001-eu-west-1`],
      ['project', `${project}-access-logs-100000000001-eu-west-1`],
      ['targets[0].name', `${project}-abcdefgh-logs-100000000010-eu-west-1`],
    ]);
    const off = withSections({ project, audit: { trail: { enabled: false }, existingTrail: true }, monitoring: { accessLogs: { enabled: false } } });
    off.targets[0].name = 'abcdefgh';
    expect(() => validateConfig(off)).not.toThrow();
  });

  it('reject unknown fields and retention periods CloudWatch Logs does not offer', () => {
    const problems = problemsOf(withSections({ audit: { trail: { logRetentionDays: 100, enabeld: true } } }));
    expect(problems.map((p) => p.path).sort()).toEqual(['audit.trail', 'audit.trail.logRetentionDays']);
  });
});
