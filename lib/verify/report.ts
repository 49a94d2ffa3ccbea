import type { Actor } from './paths';
import type { Outcome } from './simulate';
import type { Verification } from './verify';

const HEADER = ['', 'principal', 'action', 'resource', 'expected', 'result', 'deciding statement'];

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'role': {
      const [, , , , account, resource] = actor.arn.split(':');
      return `${resource.replace(/^role\//, '')}@${account}${actor.widened ? ' (widened to *)' : ''}`;
    }
    case 'named-role': {
      const [, , , , account, resource] = actor.arn.split(':');
      return `${resource.replace(/^role\//, '')}@${account} (named in the configuration, widened to *)`;
    }
    case 'outsider':
      return `administrator@${actor.account} (outside)`;
    case 'web-identity': {
      const [, , , , account, resource] = actor.provider.split(':');
      // Claims by their own names (`sub`, not `app.terraform.io:sub`): the provider names the issuer already.
      const claims = Object.entries(actor.claims).map(([key, value]) => `${key.split(':').pop()}=${value}`);
      return `token of ${resource.replace(/^oidc-provider\//, '')}@${account} (${claims.join(', ')})`;
    }
    case 'service': {
      if (!actor.sourceArn) return actor.service;
      const [, , service, , account, ...resource] = actor.sourceArn.split(':');
      // S3 ARNs name no account: the bucket is the resource.
      return `${actor.service} for ${service === 's3' ? resource.join(':').replace(/^:/, '') : resource.join(':')}@${
        account || actor.sourceAccount
      }`;
    }
  }
}

function row(outcome: Outcome): string[] {
  const { path } = outcome;
  const variant = [
    ...Object.entries(path.context ?? {})
      .filter(([key]) => key !== 's3:x-amz-server-side-encryption' || path.expect === 'Denied')
      .map(([key, value]) => `${key}=${value}`),
    ...(path.absent ?? []).map((key) => `no ${key}`),
  ];
  return [
    outcome.problems.length === 0 ? 'ok' : 'FAIL',
    actorLabel(path.actor),
    path.action,
    variant.length > 0 ? `${path.resource} [${variant.join(', ')}]` : path.resource,
    path.expect,
    outcome.result,
    outcome.deciding,
  ];
}

/** The proof as a Markdown table, then every problem with the claim it breaks. */
export function formatReport(verification: Verification): string {
  const rows = [HEADER, ...verification.outcomes.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const lines = [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];

  const required = verification.outcomes.filter((o) => o.path.expect === 'Allowed');
  const forbidden = verification.outcomes.filter((o) => o.path.expect === 'Denied');
  const failed = verification.outcomes.filter((o) => o.problems.length > 0);
  lines.push(
    '',
    `${required.length} required paths, ${forbidden.length} forbidden paths: ` +
      `${required.length - failed.filter((o) => o.path.expect === 'Allowed').length} allowed as required, ` +
      `${forbidden.length - failed.filter((o) => o.path.expect === 'Denied').length} denied as required.`,
  );
  if (verification.problems.length > 0) {
    lines.push(
      '',
      `${verification.problems.length} problem(s) with the inputs:`,
      ...verification.problems.map((p) => `  - ${p}`),
    );
  }
  if (failed.length > 0) {
    lines.push('', `${failed.length} path(s) do not hold:`);
    for (const outcome of failed) {
      const { path } = outcome;
      lines.push(`  - ${path.claim}: ${actorLabel(path.actor)} ${path.action} ${path.resource}`);
      lines.push(...outcome.problems.map((p) => `      ${p}`));
    }
  }
  lines.push('', verification.ok ? 'Access proof holds.' : 'Access proof FAILED.');
  return `${lines.join('\n')}\n`;
}
