import { actorLabel } from './report';
import type { Outcome } from './simulate';
import type { Verification } from './verify';

/** How `npm run verify` prints the proof. */
export type VerifyFormat = 'text' | 'json' | 'markdown';
export const VERIFY_FORMATS: readonly VerifyFormat[] = ['text', 'json', 'markdown'];

export interface VerifyOutputOptions {
  format: VerifyFormat;
  /** Every path, not only the failures. */
  all: boolean;
  configuration: string;
  outdir: string;
}

/** One proven (or failed) access path, as the JSON output and the tables carry it. */
export interface PathRecord {
  ok: boolean;
  claim: string;
  principal: string;
  action: string;
  resource: string;
  /** Request context and absent keys that make this variant, e.g. `aws:SecureTransport=false`. */
  variant: string[];
  expected: 'Allowed' | 'Denied';
  result: string;
  deciding: string;
  problems: string[];
}

export function pathRecord(outcome: Outcome): PathRecord {
  const { path } = outcome;
  return {
    ok: outcome.problems.length === 0,
    claim: path.claim,
    principal: actorLabel(path.actor),
    action: path.action,
    resource: path.resource,
    variant: [
      ...Object.entries(path.context ?? {})
        .filter(([key]) => key !== 's3:x-amz-server-side-encryption' || path.expect === 'Denied')
        .map(([key, value]) => `${key}=${value}`),
      ...(path.absent ?? []).map((key) => `no ${key}`),
    ],
    expected: path.expect,
    result: String(outcome.result),
    deciding: outcome.deciding,
    problems: outcome.problems,
  };
}

interface Counts {
  required: number;
  forbidden: number;
  allowedAsRequired: number;
  deniedAsRequired: number;
  failed: number;
}

function counts(verification: Verification): Counts {
  const failed = verification.outcomes.filter((o) => o.problems.length > 0);
  const required = verification.outcomes.filter((o) => o.path.expect === 'Allowed').length;
  const forbidden = verification.outcomes.filter((o) => o.path.expect === 'Denied').length;
  return {
    required,
    forbidden,
    allowedAsRequired: required - failed.filter((o) => o.path.expect === 'Allowed').length,
    deniedAsRequired: forbidden - failed.filter((o) => o.path.expect === 'Denied').length,
    failed: failed.length,
  };
}

const summaryLine = (c: Counts) =>
  `${c.required} required paths, ${c.forbidden} forbidden paths: ${c.allowedAsRequired} allowed as required, ${c.deniedAsRequired} denied as required; ${c.failed} failed.`;

/**
 * The proof in one of three formats. By default a summary and the failures
 * (and the input problems); with `all`, every path. Text is for a terminal
 * (one path per line group, no wide table), Markdown for a pull request, JSON
 * for tools.
 */
export function formatVerification(verification: Verification, options: VerifyOutputOptions): string {
  const records = verification.outcomes.map(pathRecord);
  const shown = options.all ? records : records.filter((r) => !r.ok);
  const c = counts(verification);
  switch (options.format) {
    case 'json':
      return `${JSON.stringify(
        {
          configuration: options.configuration,
          outdir: options.outdir,
          ok: verification.ok,
          summary: c,
          problems: verification.problems,
          paths: shown,
        },
        null,
        2,
      )}\n`;
    case 'markdown':
      return markdown(verification, options, shown, c);
    default:
      return text(verification, options, shown, c);
  }
}

function text(verification: Verification, options: VerifyOutputOptions, shown: PathRecord[], c: Counts): string {
  const out = [`Access proof of ${options.outdir} for ${options.configuration}`, '', summaryLine(c)];
  if (verification.problems.length > 0) {
    out.push('', `${verification.problems.length} problem(s) with the inputs:`, ...verification.problems.map((p) => `  - ${p}`));
  }
  if (shown.length > 0) {
    out.push('', options.all ? 'Every path, by principal:' : `${shown.length} path(s) do not hold:`);
    let principal = '';
    for (const record of options.all ? [...shown].sort((a, b) => a.principal.localeCompare(b.principal)) : shown) {
      if (record.principal !== principal) {
        principal = record.principal;
        out.push(`  ${principal}`);
      }
      const variant = record.variant.length > 0 ? ` [${record.variant.join(', ')}]` : '';
      out.push(`    ${record.ok ? 'ok  ' : 'FAIL'} ${record.expected === 'Allowed' ? 'must allow' : 'must deny '} ${record.action} on ${record.resource}${variant}`);
      out.push(`         ${record.result}${record.deciding ? ` by ${record.deciding}` : ''}${record.ok ? '' : `: ${record.claim}`}`);
      out.push(...record.problems.map((p) => `         ${p}`));
    }
  }
  out.push('', verification.ok ? 'Access proof holds.' : 'Access proof FAILED.');
  if (!options.all) out.push(`(--all lists every path; --format json|markdown for tools and pull requests)`);
  return `${out.join('\n')}\n`;
}

const cell = (value: string) => value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function markdown(verification: Verification, options: VerifyOutputOptions, shown: PathRecord[], c: Counts): string {
  const out = [
    `### Access proof: ${verification.ok ? 'holds' : 'FAILED'}`,
    '',
    `Configuration \`${cell(options.configuration)}\`, output \`${cell(options.outdir)}\`.`,
    '',
    summaryLine(c),
  ];
  if (verification.problems.length > 0) out.push('', '**Problems with the inputs:**', '', ...verification.problems.map((p) => `- ${cell(p)}`));
  if (shown.length > 0) {
    out.push('', options.all ? '| | principal | action | resource | expected | result | deciding statement |' : '| principal | action | resource | expected | result | why it fails |');
    out.push(options.all ? '| --- | --- | --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- | --- | --- |');
    for (const r of shown) {
      const resource = r.variant.length > 0 ? `${r.resource} [${r.variant.join(', ')}]` : r.resource;
      const common = [r.principal, r.action, resource, r.expected, r.result].map((v) => `\`${cell(v)}\``);
      if (options.all) out.push(`| ${r.ok ? 'ok' : 'FAIL'} | ${common.join(' | ')} | ${cell(r.deciding)} |`);
      else out.push(`| ${common.join(' | ')} | ${cell([r.claim, ...r.problems].join('; '))} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
