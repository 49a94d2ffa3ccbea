import type { AccessChange } from './access';
import type { DiffResult } from './diff';
import type { AttributeChange, ResourceChange, StackDiff } from './resources';

export const DIFF_FORMATS = ['text', 'markdown', 'json'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** At most this many changed values are listed per resource; the JSON format lists them all. */
const ATTRIBUTES_SHOWN = 6;
const VALUE_WIDTH = 60;

export function formatDiff(result: DiffResult, format: DiffFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(result, null, 2)}\n`;
    case 'markdown':
      return markdown(result);
    case 'text':
      return text(result);
  }
}

const SYMBOL: Record<ResourceChange['action'], string> = {
  create: '+',
  update: '~',
  replace: '-/+',
  destroy: '-',
  read: '<=',
};

function symbolOf(r: ResourceChange): string {
  return r.replaceReasons.length > 0 ? '-/+' : SYMBOL[r.action];
}

function verb(r: ResourceChange): string {
  if (r.action === 'read') return 'data source changes';
  if (r.replaceReasons.length > 0 && r.action !== 'replace') return r.action === 'destroy' ? 'destroyed (replaced)' : 'created (replaces)';
  return { create: 'created', update: 'updated in place', replace: 'REPLACED', destroy: 'destroyed' }[r.action];
}

function headline(result: DiffResult): string {
  const s = result.summary;
  if (!result.changed) return 'No changes: the new synth matches the earlier output, and no access path changes.';
  return (
    `Stacks: ${s.stacksAdded} added, ${s.stacksRemoved} removed, ${s.stacksChanged} changed. ` +
    `Resources: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.destroy} to destroy. ` +
    `Access paths: ${s.allowed} become allowed, ${s.denied} become denied.`
  );
}

function value(v: unknown): string {
  if (v === undefined) return '(none)';
  const shown = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return shown.length > VALUE_WIDTH ? `${shown.slice(0, VALUE_WIDTH - 1)}…` : shown;
}

function attributeLine(c: AttributeChange): string {
  if (c.before === undefined) return `${c.path}: added ${value(c.after)}`;
  if (c.after === undefined) return `${c.path}: removed ${value(c.before)}`;
  return `${c.path}: ${value(c.before)} → ${value(c.after)}`;
}

/** The lines that explain one resource's change, without its heading. */
function details(r: ResourceChange): string[] {
  const lines: string[] = [];
  if (r.action === 'replace') lines.push(`replaced because ${r.replaceReasons.join(', ')} changed (ForceNew in the provider)`);
  else lines.push(...r.replaceReasons);
  const shown = r.attributes.slice(0, ATTRIBUTES_SHOWN).map(attributeLine);
  if (r.attributes.length > ATTRIBUTES_SHOWN) shown.push(`… and ${r.attributes.length - ATTRIBUTES_SHOWN} more (see --format json)`);
  lines.push(...shown);
  if (r.via.length > 0) lines.push(`changes through ${r.via.join(', ')}`);
  if (r.protectedFromDestroy) lines.push('prevent_destroy is set: the plan stops with an error instead of destroying it');
  return lines;
}

const STACK_NOTE: Record<StackDiff['status'], string> = {
  added: 'new stack: apply it in its wave (apply-order.json)',
  removed:
    'stack no longer synthesized: cdktf stops planning it, and its resources stay in AWS until it is destroyed from the earlier checkout',
  changed: '',
};

function text(result: DiffResult): string {
  const lines = [
    `Diff of ${result.config} against ${result.against}${result.againstConfig ? ` (synthesized from ${result.againstConfig})` : ''}`,
    '',
    headline(result),
  ];
  for (const stack of result.stacks) {
    lines.push('', `Stack ${stack.stack} (${stack.status})${STACK_NOTE[stack.status] ? `: ${STACK_NOTE[stack.status]}` : ''}`);
    if (stack.settings.length > 0) lines.push(`  settings changed: ${stack.settings.join(', ')}`);
    for (const r of stack.resources) {
      lines.push(`  ${symbolOf(r).padEnd(3)} ${r.address}  ${verb(r)}`);
      lines.push(...details(r).map((d) => `        ${d}`));
    }
  }
  if (result.access.length > 0) {
    lines.push('', 'Access paths (access proof model):');
    for (const a of result.access) lines.push(`  ${accessLine(a)}`);
  }
  lines.push(...notes(result).map((n) => `\n${n}`));
  return `${lines.join('\n')}\n`;
}

function accessLine(a: AccessChange): string {
  const word = a.change === 'allowed' ? 'ALLOWED' : 'DENIED ';
  return `${word} ${a.principal}  ${a.action}  ${a.resource}  (was ${a.before}, now ${a.after})`;
}

function notes(result: DiffResult): string[] {
  const out: string[] = [];
  if (result.accessError) out.push(`Access paths were NOT compared: ${result.accessError}`);
  if (!result.againstConfig && result.changed) {
    out.push(
      'Access paths are derived from the new configuration; give --against-config <file|dir> (the configuration of the earlier output) to compare the paths only it had (a removed or renamed target).',
    );
  }
  if (result.summary.replace > 0 || result.summary.destroy > 0) {
    out.push(
      'Replacements are marked from the ForceNew arguments listed in lib/diff/force-new.ts and from changed addresses; terraform plan is the authority.',
    );
  }
  return out;
}

/** Markdown for a pull-request comment: a summary, a table per stack, the access changes. */
function markdown(result: DiffResult): string {
  const lines = [
    '### Infrastructure diff',
    '',
    `\`${escape(result.config)}\` against \`${escape(result.against)}\`${
      result.againstConfig ? ` (synthesized from \`${escape(result.againstConfig)}\`)` : ''
    }`,
    '',
    headline(result),
  ];
  for (const stack of result.stacks) {
    lines.push('', `#### Stack \`${stack.stack}\` (${stack.status})`);
    if (STACK_NOTE[stack.status]) lines.push('', STACK_NOTE[stack.status]);
    if (stack.settings.length > 0) lines.push('', `Settings changed: ${stack.settings.map((s) => `\`${s}\``).join(', ')}`);
    if (stack.resources.length > 0) {
      lines.push('', '| | resource | change | details |', '|---|---|---|---|');
      for (const r of stack.resources) {
        lines.push(`| \`${symbolOf(r)}\` | \`${escape(r.address)}\` | ${verb(r)} | ${details(r).map(cell).join('<br>')} |`);
      }
    }
  }
  if (result.access.length > 0) {
    lines.push('', '#### Access paths', '', '| change | principal | action | resource | before | after |', '|---|---|---|---|---|---|');
    for (const a of result.access) {
      lines.push(
        `| ${a.change === 'allowed' ? '**allowed**' : '**denied**'} | ${cell(a.principal)} | \`${a.action}\` | ${cell(a.resource)} | ${a.before} | ${a.after} |`,
      );
    }
  }
  for (const note of notes(result)) lines.push('', `> ${note}`);
  return `${lines.join('\n')}\n`;
}

function escape(s: string): string {
  return s.replace(/`/g, "'");
}

/** A table cell: no pipes or line breaks of its own. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
