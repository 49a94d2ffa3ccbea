import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError, validateConfig } from '../lib/config/load';
import type { Problem } from '../lib/config/problem';
import { synthesizeHcl, synthesize } from './support/synth';
import { readFileSync as read } from 'node:fs';
import * as path from 'node:path';
import { canonical, parseHcl } from '../lib/hcl/equivalence';

/* eslint-disable @typescript-eslint/no-explicit-any -- configuration documents are untyped here */

/** A fresh copy of a shipped example, as a document. */
function example(file: string): any {
  return parse(readFileSync(`config/examples/${file}`, 'utf8'));
}
const cloudFormation = () => example('codecommit-cloudformation.yaml');
const releaseFlow = () => example('release-flow.yaml');
const target = (doc: any, name: string) => doc.pipelines[0].targets.find((t: any) => t.name === name);

/** The problems of a document the validation refuses; fails when it is accepted or throws anything else. */
function problems(doc: unknown): Problem[] {
  try {
    validateConfig(doc, 'test.yaml');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
  throw new Error('expected the configuration to be refused');
}

function refusedAt(doc: unknown, path: string, message?: RegExp): void {
  const found = problems(doc);
  expect(found.map((p) => p.path)).toContain(path);
  if (message) expect(found.find((p) => p.path === path)!.message).toMatch(message);
}

describe('the string rule: no configuration text reaches Terraform as a live expression', () => {
  const injection = '${file("/etc/passwd")}';
  const template = '%{ if true }x%{ endif }';
  const fields: Array<[string, string, (doc: any, value: string) => void, () => any]> = [
    ['pipelines[0].source.branch', 'codecommit branch', (d, v) => (d.pipelines[0].source.branch = v), cloudFormation],
    ['pipelines[0].source.branch', 'connection branch', (d, v) => (d.pipelines[0].source.branch = v), releaseFlow],
    ['pipelines[0].build.image', 'build image', (d, v) => (d.pipelines[0].build = { image: v }), cloudFormation],
    ['pipelines[0].build.buildspec', 'buildspec', (d, v) => (d.pipelines[0].build = { buildspec: v }), cloudFormation],
    ['platform.defaults.build.image', 'default image', (d, v) => (d.platform.defaults = { build: { image: v } }), cloudFormation],
    [
      'pipelines[0].source.triggers[0].branches.includes[0]',
      'trigger pattern',
      (d, v) => (d.pipelines[0].source.triggers[0].branches.includes[0] = v),
      releaseFlow,
    ],
    [
      'pipelines[0].source.triggers[0].filePaths.excludes[1]',
      'file path pattern',
      (d, v) => (d.pipelines[0].source.triggers[0].filePaths.excludes[1] = v),
      releaseFlow,
    ],
  ];

  it.each(fields)('refuses template sequences in %s (%s)', (path, _what, set, base) => {
    for (const value of [`x${injection}`, `a${template}`, 'release-${var.x}']) {
      const doc = base();
      set(doc, value);
      refusedAt(doc, path, /must not contain|template|double quote/);
    }
  });

  it.each(fields)('refuses quotes, backslashes, line breaks, tabs and bidi overrides in %s (%s), which the HCL cannot carry', (path, _what, set, base) => {
    for (const value of ['a"b', 'a\\b', 'a\nb', 'a\tb', 'a\u202eb', 'a\u2066b', 'a\u0000b', 'a\u0085b']) {
      const doc = base();
      set(doc, value);
      refusedAt(doc, path);
    }
  });

  it('refuses the issue\'s resource example, and control, bidi, quote and backslash characters in resources', () => {
    for (const value of [
      'arn:aws:dynamodb:eu-central-1:333333333333:table/${file("/etc/passwd")}',
      'arn:aws:dynamodb:eu-central-1:333333333333:table/a\nb',
      'arn:aws:dynamodb:eu-central-1:333333333333:table/a\u202eb',
      'arn:aws:dynamodb:eu-central-1:333333333333:table/a\\b',
      'arn:aws:dynamodb:eu-central-1:333333333333:table/テーブル',
    ]) {
      const doc = cloudFormation();
      doc.pipelines[0].targets[0].deploy.executionRole.statements[0].resources[0] = value;
      refusedAt(doc, 'pipelines[0].targets[0].deploy.executionRole.statements[0].resources[0]');
    }
  });

  it.each([
    ['pipelines[0].variables[0].default', (d: any, v: string) => (d.pipelines[0].variables[0].default = v)],
    ['pipelines[0].variables[0].description', (d: any, v: string) => (d.pipelines[0].variables[0].description = v)],
    ['pipelines[0].targets[1].deploy.parameterOverrides.Version', (d: any, v: string) => (target(d, 'staging-api').deploy.parameterOverrides.Version = v)],
    ['pipelines[0].targets[6].deploy.variables.CHANNEL', (d: any, v: string) => (target(d, 'partners').deploy.variables.CHANNEL = v)],
  ])('refuses what the HCL synth could not carry in %s', (path, set) => {
    const doc = releaseFlow();
    expect(target(doc, 'partners')).toBe(doc.pipelines[0].targets[6]);
    for (const value of ['a"b', 'a\\b', 'line\nbreak', '${x}', '%{x}', 'a\u202eb']) {
      const copy = releaseFlow();
      set(copy, value);
      refusedAt(copy, path);
    }
  });

  it('escapes IAM policy variables in resources, and carries allowed unusual text literally, in JSON and HCL alike', async () => {
    const doc = cloudFormation();
    const resource = 'arn:aws:dynamodb:eu-central-1:333333333333:table/${aws:PrincipalTag/team}-%{x}';
    doc.pipelines[0].targets[0].deploy.executionRole.statements[0].resources[0] = resource;
    // Text the rule allows, however unusual, is carried literally by both synths (synthesizeHcl fails otherwise).
    doc.pipelines[0].source.branch = "rel/ünï'$%x{}#{y}";
    doc.pipelines[0].build = { image: "repo/ïmg:1.0'x", buildspec: "ci/büild spec's $1 100%.yml" };
    doc.pipelines[0].variables = [{ name: 'V', default: "ü'$%<&>{}", description: "it's 100% {fine}" }];
    doc.pipelines[0].targets[0].deploy.parameterOverrides.Environment = "it's $5 & <50%> #{variables.V}";
    const config = validateConfig(doc);
    const escaped = 'arn:aws:dynamodb:eu-central-1:333333333333:table/$${aws:PrincipalTag/team}-%%{x}';
    expect((config.pipelines[0].targets[0].deploy as any).executionRole.statements[0].resources[0]).toBe(escaped);
    const json = synthesize(config).stacks['billing-target-staging'];
    const statements = json.data.aws_iam_policy_document.cloudformation_execution_role_permissions.statement;
    expect(statements[0].resources).toEqual([escaped]);
    const outdir = await synthesizeHcl(config);
    const hcl = read(path.join(outdir, 'stacks', 'billing-target-staging', 'cdk.tf'), 'utf8');
    expect(hcl).toContain(`"${escaped}"`);
    const parsed: any = canonical(await parseHcl('cdk.tf', hcl));
    expect(parsed.data.aws_iam_policy_document.cloudformation_execution_role_permissions.statement[0].resources).toEqual([escaped]);
  }, 120_000);
});

describe('collisions are configuration errors, not construction-time stack traces', () => {
  const statements = (doc: any) => doc.pipelines[0].targets[0].deploy.executionRole.statements;

  it('refuses two statements with one sid', () => {
    const doc = cloudFormation();
    statements(doc)[1].sid = statements(doc)[0].sid;
    refusedAt(doc, 'pipelines[0].targets[0].deploy.executionRole.statements[1].sid', /ManagesInvoiceTable.*unique/);
  });

  it('refuses a sid that collides with a generated one (Grant<n>)', () => {
    const doc = cloudFormation();
    delete statements(doc)[0].sid;
    statements(doc)[1].sid = 'Grant1';
    refusedAt(doc, 'pipelines[0].targets[0].deploy.executionRole.statements[1].sid', /Grant1/);
  });

  it('refuses two PassRole services that normalise to one sid, and a sid that takes a PassRole statement\'s', () => {
    const doc = cloudFormation();
    doc.pipelines[0].targets[0].deploy.executionRole.passRoles = [
      { service: 'a-b.amazonaws.com', roles: ['arn:aws:iam::333333333333:role/x'] },
      { service: 'a.b.amazonaws.com', roles: ['arn:aws:iam::333333333333:role/y'] },
    ];
    statements(doc)[0].sid = 'PassesRolesToAB';
    const found = problems(doc).map((p) => p.path);
    expect(found).toContain('pipelines[0].targets[0].deploy.executionRole.passRoles[0].service');
    expect(found).toContain('pipelines[0].targets[0].deploy.executionRole.passRoles[1].service');
    // The same service twice merges into one statement: no collision.
    const merged = cloudFormation();
    merged.pipelines[0].targets[0].deploy.executionRole.passRoles = [
      { service: 'lambda.amazonaws.com', roles: ['arn:aws:iam::333333333333:role/x'] },
      { service: 'lambda.amazonaws.com', roles: ['arn:aws:iam::333333333333:role/y'] },
    ];
    expect(() => validateConfig(merged)).not.toThrow();
  });

  it.each([
    ['platform.monitoring.notifications.emails[1]', (d: any, e: string[]) => (d.platform.monitoring = { notifications: { emails: e } })],
    ['platform.audit.alerts.emails[1]', (d: any, e: string[]) => (d.platform.audit = { alerts: { emails: e } })],
    ['pipelines[0].approvals.emails[1]', (d: any, e: string[]) => (d.pipelines[0].approvals = { emails: e })],
  ])('refuses e-mail addresses that normalise to one subscription id at %s', (path, set) => {
    const doc = cloudFormation();
    set(doc, ['a.b@example.com', 'a-b@example.com']);
    refusedAt(doc, path, /e-mail subscription|duplicate email/);
  });

  it('refuses duplicate pipeline variable names', () => {
    const doc = releaseFlow();
    doc.pipelines[0].variables.push({ name: 'CHANNEL', default: 'beta' });
    refusedAt(doc, 'pipelines[0].variables[1].name', /duplicate pipeline variable name "CHANNEL"/);
  });

  it('refuses __proto__ as a map key instead of dropping it', () => {
    const doc = releaseFlow();
    const partners = target(doc, 'partners');
    partners.deploy.variables = JSON.parse('{"__proto__": "x", "CHANNEL": "#{variables.CHANNEL}"}');
    refusedAt(doc, 'pipelines[0].targets[6].deploy.variables.__proto__');
    const overrides = releaseFlow();
    target(overrides, 'staging-api').deploy.parameterOverrides = JSON.parse('{"__proto__": "x"}');
    refusedAt(overrides, 'pipelines[0].targets[1].deploy.parameterOverrides.__proto__');
    const unknown = releaseFlow();
    unknown.pipelines[0].source = { ...JSON.parse('{"__proto__": {"kind": "s3"}}'), ...unknown.pipelines[0].source };
    expect(problems(unknown).some((p) => p.path.startsWith('pipelines[0].source'))).toBe(true);
  });

  it('names a missing region without "undefined"', () => {
    const doc = cloudFormation();
    delete doc.platform.tooling.region;
    const found = problems(doc);
    expect(found.map((p) => p.path)).toContain('platform.tooling.region');
    for (const p of found) expect(`${p.path}: ${p.message}`).not.toMatch(/undefined/);
  });
});

describe('limits checked up front', () => {
  const long = (n: number) => `${'d/'.repeat(Math.floor(n / 2))}t.yaml`;

  it.each([
    ['templatePath', 'staging-api', 'pipelines[0].targets[1].deploy.templatePath'],
    ['templateConfiguration', 'staging-api', 'pipelines[0].targets[1].deploy.templateConfiguration'],
    ['imageDefinitionsFile', 'staging-service', 'pipelines[0].targets[2].deploy.imageDefinitionsFile'],
  ])('refuses a %s over CodePipeline\'s 1,000 characters per action configuration value', (field, name, path) => {
    const doc = releaseFlow();
    target(doc, name).deploy[field] = long(1000);
    refusedAt(doc, path, /CodePipeline allows 1000 per action configuration value/);
    const fits = releaseFlow();
    target(fits, name).deploy[field] = long(960);
    expect(() => validateConfig(fits)).not.toThrow();
  });

  it('refuses an execution role whose inline policy outgrows IAM\'s 10,240 characters', () => {
    const doc = cloudFormation();
    const resources = Array.from({ length: 150 }, (_, i) => `arn:aws:dynamodb:eu-central-1:333333333333:table/billing-invoices-${i}`);
    doc.pipelines[0].targets[0].deploy.executionRole.statements[0].resources = resources;
    refusedAt(doc, 'pipelines[0].targets[0].deploy.executionRole', /IAM allows 10240 characters of inline policy/);
    doc.pipelines[0].targets[0].deploy.executionRole.statements[0].resources = resources.slice(0, 60);
    expect(() => validateConfig(doc)).not.toThrow();
  });

  it('refuses long sids that push the execution role policy past the limit', () => {
    const doc = cloudFormation();
    doc.pipelines[0].targets[0].deploy.executionRole.statements = Array.from({ length: 40 }, (_, i) => ({
      sid: `S${i}${'x'.repeat(200)}`,
      actions: ['dynamodb:DescribeTable'],
      resources: ['arn:aws:dynamodb:eu-central-1:333333333333:table/billing-invoices'],
    }));
    refusedAt(doc, 'pipelines[0].targets[0].deploy.executionRole', /inline policy/);
  });

  it('refuses statements naming so many services that the target account\'s boundary outgrows IAM\'s 6,144 characters', () => {
    const doc = cloudFormation();
    const actions = (n: number) => Array.from({ length: n }, (_, i) => `service${String(i).padStart(3, '0')}x:DescribeThing`);
    doc.pipelines[0].targets[0].deploy.executionRole.statements[0].actions = actions(250);
    refusedAt(doc, 'pipelines[0].targets[0].deploy', /IAM allows 6144 characters per managed policy/);
    doc.pipelines[0].targets[0].deploy.executionRole.statements[0].actions = actions(20);
    expect(() => validateConfig(doc)).not.toThrow();
  });

    it('refuses more served accounts than the artifact key policy can name within KMS\'s 32 KB', () => {
    const doc = cloudFormation();
    const ids = Array.from({ length: 500 }, (_, i) => String(500000000000 + i));
    doc.platform.accounts.push(...ids.map((id, i) => ({ name: `extra${i}`, id, role: `arn:aws:iam::${id}:role/terraform` })));
    refusedAt(doc, 'platform.accounts', /KMS allows 32768 bytes per key policy/);
  });
});
