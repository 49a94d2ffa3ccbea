import { AccessModel } from './model';
import type { PolicyJson } from './policy-render';
import { address, allBlocks, type Block, type SynthesizedApp } from './synthesized';

/** Where the example configuration's diagram lives, for the README. */
export const EXAMPLE_DIAGRAM_FILE = 'docs/diagram.md';

/** How a drawn resource type looks: its word and Mermaid shape, and the argument that names it. */
interface NodeStyle {
  word: string;
  shape: (label: string) => string;
  nameArgument: string;
}

const rect = (label: string) => `["${label}"]`;
const rounded = (label: string) => `("${label}")`;
const stadium = (label: string) => `(["${label}"])`;
const cylinder = (label: string) => `[("${label}")]`;
const subroutine = (label: string) => `[["${label}"]]`;

/** The resource types the diagram draws; others (policies, attachments, settings) are folded into edges. */
const DRAWN: Record<string, NodeStyle> = {
  aws_iam_role: { word: 'role', shape: stadium, nameArgument: 'name' },
  aws_s3_bucket: { word: 'bucket', shape: cylinder, nameArgument: 'bucket' },
  aws_kms_key: { word: 'key', shape: subroutine, nameArgument: 'description' },
  aws_codecommit_repository: { word: 'repository', shape: cylinder, nameArgument: 'repository_name' },
  'data.aws_codecommit_repository': { word: 'existing repository', shape: cylinder, nameArgument: 'repository_name' },
  aws_codepipeline: { word: 'pipeline', shape: rect, nameArgument: 'name' },
  aws_codebuild_project: { word: 'build project', shape: rect, nameArgument: 'name' },
  aws_cloudwatch_event_bus: { word: 'event bus', shape: rounded, nameArgument: 'name' },
  aws_cloudwatch_event_rule: { word: 'event rule', shape: rounded, nameArgument: 'name' },
  aws_sns_topic: { word: 'topic', shape: rounded, nameArgument: 'name' },
};

interface DrawnNode {
  id: string;
  block: Block;
  arn: string;
  label: string;
  shape: string;
}

/**
 * A Mermaid picture of the synthesized stacks: accounts and their stacks (with
 * apply waves), the roles and resources, who may assume which role, what each
 * role may act on, where events flow, and which key encrypts what. Built from
 * the synthesized output alone, so it shows what will be applied.
 */
export function renderDiagram(app: SynthesizedApp): { topology: string; applyOrder: string } {
  const model = new AccessModel(app);
  const resolver = model.resolver;
  const aliasesOf = new Map<string, string[]>();
  for (const [alias, key] of model.keyAliases)
    aliasesOf.set(key, [...(aliasesOf.get(key) ?? []), alias.split(':').pop() ?? alias]);

  const nodes: DrawnNode[] = [];
  for (const block of allBlocks(app)) {
    const style = DRAWN[block.kind === 'data' ? `data.${block.type}` : block.type];
    if (!style) continue;
    const arn = resolver.resolve(block.stack, `\${${address(block)}.arn}`);
    const name =
      block.type === 'aws_kms_key'
        ? (aliasesOf.get(arn) ?? [address(block)]).join(', ')
        : resolver.resolve(block.stack, block.body[style.nameArgument]);
    const id = nodeId(`${block.stack}.${address(block)}`);
    nodes.push({
      id,
      block,
      arn,
      label: `${style.word}<br/>${escapeLabel(name)}`,
      shape: style.shape(`${style.word}<br/>${escapeLabel(name)}`),
    });
  }
  const byArn = new Map(nodes.map((n) => [n.arn, n]));
  const nodeFor = (arn: string): DrawnNode | undefined => {
    const exact = byArn.get(arn);
    if (exact) return exact;
    // Objects of a bucket, streams of a log group, and similar sub-resources belong to their parent.
    return nodes.find((n) => arn.startsWith(`${n.arn}/`) || arn.startsWith(`${n.arn}:`));
  };

  const edges = new Set<string>();
  const edge = (from: string, arrow: string, label: string, to: string) =>
    edges.add(`  ${from} ${arrow}|"${escapeLabel(label)}"| ${to}`);

  // Who may assume each role, from its trust policy.
  for (const role of model.roles.values()) {
    const roleNode = byArn.get(role.arn)!;
    for (const principal of trustedPrincipals(role.trust.document)) {
      if (principal.kind === 'role') {
        const from = byArn.get(principal.arn);
        edge(from ? from.id : accountId(principal.arn.split(':')[4]), '-->', 'may assume', roleNode.id);
      } else if (principal.kind === 'service') {
        const from = principal.sourceArn ? nodeFor(principal.sourceArn) : undefined;
        if (from) edge(from.id, '-.->', `runs as (${principal.service})`, roleNode.id);
      } else {
        edge(accountId(principal.account), '-->', 'any principal may assume', roleNode.id);
      }
    }
  }

  // What each role may act on, from its identity policies, labelled with the granting statements' Sids.
  for (const role of model.roles.values()) {
    const grantsOn = new Map<DrawnNode, Set<string>>();
    for (const policy of role.identity) {
      for (const statement of policy.document.Statement) {
        const actions = (statement.Action ?? []).filter((a) => !a.startsWith('sts:AssumeRole'));
        if (statement.Effect !== 'Allow' || actions.length === 0) continue;
        const grant = statement.Sid ?? actions.join(', ');
        for (const resource of statement.Resource ?? []) {
          const target = nodeFor(model.canonicalResource(resource.replace(/\/\*$|:\*$/, '')));
          if (!target || target.arn === role.arn) continue;
          grantsOn.set(target, (grantsOn.get(target) ?? new Set<string>()).add(grant));
        }
      }
    }
    for (const [target, grants] of grantsOn) edge(byArn.get(role.arn)!.id, '-->', [...grants].sort().join(', '), target.id);
  }

  // Where events flow: sources named in a rule's pattern, the bus it listens on, and its target.
  for (const rule of nodes.filter((n) => n.block.type === 'aws_cloudwatch_event_rule')) {
    const { stack, body } = rule.block;
    if (!body.event_bus_name) {
      // On an account's default bus, the resources a pattern names are where the events come from.
      for (const arn of (body.event_pattern as string).match(/arn:aws:[a-z0-9-]+:[^"\\\s,\]]+/g) ?? []) {
        const source = nodeFor(arn);
        if (source) edge(source.id, '==>', 'change events', rule.id);
      }
    } else {
      const busName = resolver.resolve(stack, body.event_bus_name);
      const bus = nodes.find(
        (n) => n.block.type === 'aws_cloudwatch_event_bus' && (n.arn === busName || n.arn.endsWith(`:event-bus/${busName}`)),
      );
      if (bus) edge(bus.id, '==>', 'events', rule.id);
    }
  }
  for (const target of allBlocks(app).filter((b) => b.kind === 'resource' && b.type === 'aws_cloudwatch_event_target')) {
    const ruleArnOrName = target.body.rule as string;
    const ruleName = resolver.resolve(target.stack, ruleArnOrName);
    const rule = nodes.find(
      (n) => n.block.stack === target.stack && n.block.type === 'aws_cloudwatch_event_rule' && n.arn.endsWith(`/${ruleName}`),
    );
    const destination = nodeFor(resolver.resolve(target.stack, target.body.arn));
    if (rule && destination) edge(rule.id, '==>', 'events', destination.id);
  }

  // Which key encrypts what.
  for (const block of allBlocks(app)) {
    if (block.type === 'aws_s3_bucket_server_side_encryption_configuration') {
      const bucket = nodeFor(`arn:aws:s3:::${resolver.resolve(block.stack, block.body.bucket)}`);
      for (const rule of block.body.rule ?? []) {
        const keyArn = rule.apply_server_side_encryption_by_default?.kms_master_key_id;
        const key = keyArn ? nodeFor(resolver.resolve(block.stack, keyArn)) : undefined;
        if (bucket && key) edge(bucket.id, '-.-', 'encrypted by', key.id);
      }
    }
    if (block.type === 'aws_sns_topic' && block.body.kms_master_key_id) {
      const topic = nodes.find((n) => n.block === block);
      const key = nodeFor(resolver.resolve(block.stack, block.body.kms_master_key_id));
      if (topic && key) edge(topic.id, '-.-', 'encrypted by', key.id);
    }
  }

  const waveOf = new Map(app.applyOrder.waves.flatMap((wave, i) => wave.map((stack) => [stack, i + 1] as const)));
  const lines = ['flowchart LR'];
  const accounts = new Map<string, { region: Set<string>; stacks: string[] }>();
  for (const stack of Object.keys(app.stacks)) {
    for (const provider of app.stacks[stack].provider?.aws ?? []) {
      const account = provider.allowed_account_ids?.[0] as string;
      const entry = accounts.get(account) ?? { region: new Set<string>(), stacks: [] };
      entry.region.add(provider.region);
      if (!entry.stacks.includes(stack)) entry.stacks.push(stack);
      accounts.set(account, entry);
    }
  }
  for (const [account, { region, stacks }] of [...accounts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  subgraph ${accountId(account)}["account ${account} · ${[...region].sort().join(', ')}"]`);
    for (const stack of stacks.sort((a, b) => (waveOf.get(a) ?? 0) - (waveOf.get(b) ?? 0) || a.localeCompare(b))) {
      lines.push(`    subgraph ${nodeId(`stack.${stack}`)}["stack ${stack} · apply wave ${waveOf.get(stack)}"]`);
      for (const node of nodes.filter((n) => n.block.stack === stack)) lines.push(`      ${node.id}${node.shape}`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  lines.push(...[...edges].sort());

  const order = ['flowchart LR'];
  app.applyOrder.waves.forEach((wave, i) => {
    order.push(`  subgraph wave_${i + 1}["wave ${i + 1}"]`);
    for (const stack of wave) order.push(`    ${nodeId(`apply.${stack}`)}["${stack}"]`);
    order.push('  end');
  });
  for (const [stack, dependencies] of Object.entries(app.applyOrder.dependsOn).sort(([a], [b]) => a.localeCompare(b))) {
    for (const dependency of dependencies) order.push(`  ${nodeId(`apply.${dependency}`)} --> ${nodeId(`apply.${stack}`)}`);
  }
  return { topology: `${lines.join('\n')}\n`, applyOrder: `${order.join('\n')}\n` };
}

/** The Markdown page with both diagrams. */
export function diagramMarkdown(app: SynthesizedApp, source: string): string {
  const { topology, applyOrder } = renderDiagram(app);
  return [
    `<!-- Generated by \`npm run diagram\` from ${source}; do not edit by hand. -->`,
    '',
    '# Topology',
    '',
    'Accounts, their stacks and apply waves, the roles and resources in them. Solid arrows: who may assume a role ' +
      '(trust policies) and what a role may do to a resource (identity policies); dotted arrows: the resource a ' +
      'service role runs for; thick arrows: event flow; dotted lines: the key that encrypts a bucket or topic.',
    '',
    '```mermaid',
    topology.trimEnd(),
    '```',
    '',
    '## Apply order',
    '',
    'Stacks of one wave do not depend on each other; each arrow is a remote-state read.',
    '',
    '```mermaid',
    applyOrder.trimEnd(),
    '```',
    '',
  ].join('\n');
}

type TrustedPrincipal =
  | { kind: 'role'; arn: string }
  | { kind: 'account'; account: string }
  | { kind: 'service'; service: string; sourceArn?: string };

/** The principals a trust policy lets assume the role: exact roles where `aws:PrincipalArn` pins them. */
function trustedPrincipals(trust: PolicyJson): TrustedPrincipal[] {
  const out: TrustedPrincipal[] = [];
  for (const statement of trust.Statement) {
    if (statement.Effect !== 'Allow' || !(statement.Action ?? []).some((a) => a.startsWith('sts:AssumeRole'))) continue;
    if (!statement.Principal || statement.Principal === '*') continue;
    const conditionValues = (key: string) =>
      Object.entries(statement.Condition ?? {})
        .filter(([operator]) => /^(Arn|String)(Equals|Like)$/.test(operator))
        .flatMap(([, byKey]) =>
          Object.entries(byKey)
            .filter(([k]) => k.toLowerCase() === key.toLowerCase())
            .flatMap(([, v]) => v),
        );
    for (const identifier of statement.Principal.AWS ?? []) {
      const account =
        /^arn:aws:iam::(\d{12}):root$/.exec(identifier)?.[1] ?? (/^\d{12}$/.test(identifier) ? identifier : undefined);
      const pinned = conditionValues('aws:PrincipalArn');
      if (account && pinned.length > 0) out.push(...pinned.map((arn) => ({ kind: 'role' as const, arn })));
      else if (account) out.push({ kind: 'account', account });
      else out.push({ kind: 'role', arn: identifier });
    }
    for (const service of statement.Principal.Service ?? []) {
      const sourceArns = conditionValues('aws:SourceArn');
      if (sourceArns.length === 0) out.push({ kind: 'service', service });
      else out.push(...sourceArns.map((sourceArn) => ({ kind: 'service' as const, service, sourceArn })));
    }
  }
  return out;
}

function accountId(account: string): string {
  return `account_${account}`;
}

function nodeId(path: string): string {
  return path.replace(/[^A-Za-z0-9]+/g, '_');
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;');
}
