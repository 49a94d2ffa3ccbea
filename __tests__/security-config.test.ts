import { validateConfig } from '../lib/config/load';
import { generateConfig } from '../lib/config/generate';
import { generatedPipeline } from './support/configs';
import { asPlatform, problemsOf } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A one-pipeline platform with these platform sections (the single-pipeline shape, upgraded). */
function withSections(sections: Record<string, unknown>): any {
  return asPlatform({ ...JSON.parse(JSON.stringify(generatedPipeline(2))), ...sections });
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
        path: 'platform.audit.alerts.enabled',
        message: expect.stringMatching(/^alerts need a trail .*audit\.existingTrail: true when an organization trail does$/),
      },
    ]);
    expect(() => validateConfig(withSections({ audit: { trail: { enabled: false }, existingTrail: true } }))).not.toThrow();
    expect(() => validateConfig(withSections({ audit: { trail: { enabled: false }, alerts: { enabled: false } } }))).not.toThrow();
  });

  it('reject alert roles outside the tooling account, naming each', () => {
    const raw = withSections({
      audit: {
        alerts: {
          pipelineAdminRoleArns: ['arn:aws:iam::100000000001:role/admin', 'arn:aws:iam::999999999999:role/admin'],
          approverRoleArns: ['arn:aws:iam::888888888888:role/approver'],
        },
      },
    });
    expect(problemsOf(raw)).toEqual([
      { path: 'platform.audit.alerts.pipelineAdminRoleArns[1]', message: expect.stringContaining('role is in account 999999999999') },
      { path: 'platform.audit.alerts.approverRoleArns[0]', message: expect.stringContaining('only roles of the tooling account (100000000001)') },
    ]);
  });

  it('reject malformed and repeated email addresses', () => {
    const raw = withSections({
      audit: { alerts: { emails: ['ops@example.com', 'OPS@example.com'] } },
      monitoring: { notifications: { emails: ['not-an-address'] } },
    });
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        { path: 'platform.audit.alerts.emails[1]', message: 'duplicate email address "ops@example.com" (first used at platform.audit.alerts.emails[0])' },
        { path: 'platform.monitoring.notifications.emails[0]', message: 'must be an email address, got "not-an-address"' },
      ]),
    );
  });

  it('reject a platform name that would make its bucket names too long for S3', () => {
    // acme-audit-trail-<account>-<region> and acme-access-logs-… stay within 63 characters with 20-character names.
    const raw = withSections({});
    raw.platform.name = 'p'.repeat(21);
    expect(problemsOf(raw)).toEqual([{ path: 'platform.name', message: expect.stringContaining('at most 20') }]);
  });

  it('reject unknown fields and retention periods CloudWatch Logs does not offer', () => {
    const problems = problemsOf(withSections({ audit: { trail: { logRetentionDays: 100, enabeld: true } } }));
    expect(problems.map((p) => p.path).sort()).toEqual(['platform.audit.trail.enabeld', 'platform.audit.trail.logRetentionDays']);
  });
});
