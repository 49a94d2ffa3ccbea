import { AccessModel } from './model';
import type { PolicyJson } from './policy-render';
import { address, allBlocks, type Block, type SynthesizedApp, type TerraformJson } from './synthesized';

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
const hexagon = (label: string) => `{{"${label}"}}`;
const trapezoid = (label: string) => `[/"${label}"\\]`;

/** The resource types the diagram draws; others (policies, attachments, settings) are folded into edges. */
const DRAWN: Record<string, NodeStyle> = {
  aws_iam_role: { word: 'role', shape: stadium, nameArgument: 'name' },
  aws_s3_bucket: { word: 'bucket', shape: cylinder, nameArgument: 'bucket' },
  aws_kms_key: { word: 'key', shape: subroutine, nameArgument: 'description' },
  aws_kms_replica_key: { word: 'replica key', shape: subroutine, nameArgument: 'description' },
  aws_codecommit_repository: { word: 'repository', shape: cylinder, nameArgument: 'repository_name' },
  'data.aws_codecommit_repository': { word: 'existing repository', shape: cylinder, nameArgument: 'repository_name' },
  aws_codepipeline: { word: 'pipeline', shape: rect, nameArgument: 'name' },
  aws_codebuild_project: { word: 'build project', shape: rect, nameArgument: 'name' },
  aws_cloudwatch_event_bus: { word: 'event bus', shape: rounded, nameArgument: 'name' },
  aws_cloudwatch_event_rule: { word: 'event rule', shape: rounded, nameArgument: 'name' },
  aws_sns_topic: { word: 'topic', shape: rounded, nameArgument: 'name' },
  aws_cloudwatch_metric_alarm: { word: 'alarm', shape: rounded, nameArgument: 'alarm_name' },
  aws_codestarconnections_connection: { word: 'connection', shape: rounded, nameArgument: 'name' },
  aws_cloudtrail: { word: 'trail', shape: rect, nameArgument: 'name' },
  aws_codedeploy_app: { word: 'CodeDeploy application', shape: rect, nameArgument: 'name' },
  aws_iam_openid_connect_provider: { word: 'OIDC provider', shape: trapezoid, nameArgument: 'url' },
};

/**
 * What the pipeline's deploy actions change that no stack creates, by action
 * provider: drawn in the target's account so that the deploy role's grants
 * have something to point at.
 */
const EXISTING: Record<string, (configuration: (key: string) => string) => { word: string; name: string; resource: string }> = {
  CloudFormation: (c) => ({ word: 'CloudFormation stack', name: c('StackName'), resource: `stack/${c('StackName')}` }),
  ECS: (c) => ({
    word: 'ECS service',
    name: `${c('ClusterName')}/${c('ServiceName')}`,
    resource: `service/${c('ClusterName')}/${c('ServiceName')}`,
  }),
  CodePipeline: (c) => ({ word: 'pipeline', name: c('PipelineName'), resource: c('PipelineName') }),
};

interface DrawnNode {
  id: string;
  /** The block that creates it; none for a resource that exists before the stacks. */
  block?: Block;
  account: string;
  arn: string;
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

  // One list of blocks, so that nodes and the loops below compare blocks by identity.
  const blocks = allBlocks(app);
  const nodes: DrawnNode[] = [];
  for (const block of blocks) {
    const style = DRAWN[block.kind === 'data' ? `data.${block.type}` : block.type];
    if (!style) continue;
    const arn = resolver.resolve(block.stack, `\${${address(block)}.arn}`);
    const name =
      block.type === 'aws_kms_key' || block.type === 'aws_kms_replica_key'
        ? (aliasesOf.get(arn) ?? [address(block)]).join(', ')
        : resolver.resolve(block.stack, block.body[style.nameArgument]);
    nodes.push({
      id: nodeId(`${block.stack}.${address(block)}`),
      block,
      account: resolver.placement(block.stack, block.body).account,
      arn,
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
  /** The service a role trusts, for "runs as" edges from the resource that hands the role to it. */
  const runsAs = (from: DrawnNode, roleArn: string) => {
    const role = model.roles.get(roleArn);
    const service = role && trustedPrincipals(role.trust.document).find((p) => p.kind === 'service');
    if (role && service?.kind === 'service') edge(from.id, '-.->', `runs as (${service.service})`, byArn.get(role.arn)!.id);
  };

  const existingNode = (arn: string, account: string, word: string, name: string): DrawnNode => {
    let node = byArn.get(arn);
    if (!node) {
      node = { id: nodeId(`existing.${arn}`), account, arn, shape: hexagon(`${word}<br/>${escapeLabel(name)}<br/>(existing)`) };
      nodes.push(node);
      byArn.set(arn, node);
    }
    return node;
  };
  // What the deploy actions change outside the stacks, and the role a CloudFormation stack is changed as.
  const pipelines = blocks.filter((b) => b.kind === 'resource' && b.type === 'aws_codepipeline');
  for (const pipeline of pipelines) {
    const home = resolver.placement(pipeline.stack, pipeline.body).region;
    for (const action of (pipeline.body.stage ?? []).flatMap((stage: TerraformJson) => stage.action ?? [])) {
      const existing = EXISTING[action.provider];
      if (!existing || !action.role_arn) continue;
      const configuration = (key: string) => resolver.resolve(pipeline.stack, action.configuration[key]);
      const { word, name, resource } = existing(configuration);
      const account = resolver.resolve(pipeline.stack, action.role_arn).split(':')[4];
      const service = action.provider === 'CodePipeline' ? 'codepipeline' : action.provider.toLowerCase();
      const node = existingNode(`arn:aws:${service}:${action.region ?? home}:${account}:${resource}`, account, word, name);
      if (action.configuration.RoleArn) runsAs(node, configuration('RoleArn'));
    }
  }
  // The ECS service a CodeDeploy deployment group shifts traffic for.
  for (const group of blocks.filter((b) => b.kind === 'resource' && b.type === 'aws_codedeploy_deployment_group')) {
    const { account, region } = resolver.placement(group.stack, group.body);
    for (const ecs of [group.body.ecs_service ?? []].flat()) {
      const [cluster, service] = [ecs.cluster_name, ecs.service_name].map((v: string) => resolver.resolve(group.stack, v));
      existingNode(
        `arn:aws:ecs:${region}:${account}:service/${cluster}/${service}`,
        account,
        'ECS service',
        `${cluster}/${service}`,
      );
    }
  }

  // Who may assume each role, from its trust policy.
  for (const role of model.roles.values()) {
    const roleNode = byArn.get(role.arn)!;
    for (const principal of trustedPrincipals(role.trust.document)) {
      if (principal.kind === 'federated') {
        const [, , , , account, resource] = principal.provider.split(':');
        const provider =
          byArn.get(principal.provider) ??
          existingNode(principal.provider, account, 'OIDC provider', resource.replace(/^oidc-provider\//, ''));
        edge(provider.id, '-->', `tokens of ${tokenHolders(principal.subjects)} may assume`, roleNode.id);
      } else if (principal.kind === 'role') {
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

  // Roles no stack creates that a role may assume (the Terraform roles a Terraform Cloud run role leads to).
  for (const role of model.roles.values()) {
    for (const statement of role.identity.flatMap((p) => p.document.Statement)) {
      if (statement.Effect !== 'Allow' || !(statement.Action ?? []).includes('sts:AssumeRole')) continue;
      for (const arn of (statement.Resource ?? []).filter((r) => /^arn:aws:iam::\d{12}:role\/[^*?]+$/.test(r))) {
        if (model.roles.has(arn)) continue;
        const existing = existingNode(arn, arn.split(':')[4], 'role', arn.split('/').pop()!);
        edge(byArn.get(role.arn)!.id, '-->', `may assume (${statement.Sid ?? 'sts:AssumeRole'})`, existing.id);
      }
    }
  }

  // Where events flow: what a rule's pattern matches, the bus it listens on, and its target.
  for (const rule of nodes.filter((n) => n.block?.type === 'aws_cloudwatch_event_rule')) {
    const { stack, body } = rule.block!;
    const pattern = body.event_pattern as string;
    if (!body.event_bus_name) {
      // On an account's default bus, the resources a pattern names are where the events come from.
      for (const arn of pattern.match(/arn:aws:[a-z0-9-]+:[^"\\\s,\]]+/g) ?? []) {
        const source = nodeFor(arn);
        // A role in a pattern is a caller it filters on (the alerts leave out the Terraform role), not an event source.
        if (source && source.block?.type !== 'aws_iam_role' && !arn.includes(':role/')) {
          edge(source.id, '==>', 'change events', rule.id);
        }
      }
      for (const node of nodes.filter((n) => n.account === rule.account && n.block)) {
        const name = node.block!.type === 'aws_s3_bucket' ? node.block!.body.bucket : node.block!.body.name;
        if (typeof name !== 'string' || !pattern.includes(`"${resolver.resolve(node.block!.stack, name)}"`)) continue;
        if (node.block!.type === 'aws_s3_bucket') edge(node.id, '==>', 'object events', rule.id);
        if (node.block!.type === 'aws_codepipeline') edge(node.id, '==>', 'execution events', rule.id);
      }
    } else {
      const busName = resolver.resolve(stack, body.event_bus_name);
      const bus = nodes.find(
        (n) => n.block?.type === 'aws_cloudwatch_event_bus' && (n.arn === busName || n.arn.endsWith(`:event-bus/${busName}`)),
      );
      if (bus) edge(bus.id, '==>', 'events', rule.id);
    }
  }
  for (const target of blocks.filter((b) => b.kind === 'resource' && b.type === 'aws_cloudwatch_event_target')) {
    const ruleArnOrName = target.body.rule as string;
    const ruleName = resolver.resolve(target.stack, ruleArnOrName);
    const rule = nodes.find(
      (n) => n.block?.stack === target.stack && n.block.type === 'aws_cloudwatch_event_rule' && n.arn.endsWith(`/${ruleName}`),
    );
    const destination = nodeFor(resolver.resolve(target.stack, target.body.arn));
    if (rule && destination) edge(rule.id, '==>', 'events', destination.id);
  }
  // Pushes through a connection start the pipeline (a V2 trigger on the source action).
  for (const pipeline of pipelines) {
    const node = nodes.find((n) => n.block === pipeline)!;
    for (const trigger of pipeline.body.trigger ?? []) {
      const sourceAction = trigger.git_configuration?.source_action_name;
      const action = (pipeline.body.stage ?? [])
        .flatMap((stage: TerraformJson) => stage.action ?? [])
        .find((a: TerraformJson) => a.name === sourceAction);
      const connection =
        action?.configuration?.ConnectionArn && nodeFor(resolver.resolve(pipeline.stack, action.configuration.ConnectionArn));
      if (connection) edge(connection.id, '==>', 'pushes (V2 trigger)', node.id);
    }
  }
  // Alarms notify their topics.
  for (const alarm of nodes.filter((n) => n.block?.type === 'aws_cloudwatch_metric_alarm')) {
    for (const action of alarm.block!.body.alarm_actions ?? []) {
      const topic = nodeFor(resolver.resolve(alarm.block!.stack, action));
      if (topic) edge(alarm.id, '==>', 'alarm', topic.id);
    }
  }

  // Roles handed to a service by the resource that uses them (CodeDeploy deployment groups, the trail's logs role).
  for (const block of blocks.filter((b) => b.kind === 'resource')) {
    const owner =
      block.type === 'aws_codedeploy_deployment_group'
        ? nodes.find(
            (n) =>
              n.block?.stack === block.stack &&
              n.block.type === 'aws_codedeploy_app' &&
              n.block.body.name === resolver.resolve(block.stack, block.body.app_name),
          )
        : nodes.find((n) => n.block === block);
    if (!owner) continue;
    for (const [argument, value] of Object.entries<unknown>(block.body)) {
      if (/(^|_)role_arn$/.test(argument) && typeof value === 'string') runsAs(owner, resolver.resolve(block.stack, value));
    }
  }

  // Where the trail writes, and where buckets log their access.
  for (const block of blocks) {
    if (block.type === 'aws_cloudtrail') {
      const trail = nodes.find((n) => n.block === block);
      const bucket = nodeFor(`arn:aws:s3:::${resolver.resolve(block.stack, block.body.s3_bucket_name)}`);
      if (trail && bucket) edge(trail.id, '==>', 'log files', bucket.id);
    }
    if (block.type === 'aws_s3_bucket_logging') {
      const bucket = nodeFor(`arn:aws:s3:::${resolver.resolve(block.stack, block.body.bucket)}`);
      const logs = nodeFor(`arn:aws:s3:::${resolver.resolve(block.stack, block.body.target_bucket)}`);
      if (bucket && logs) edge(bucket.id, '==>', 'access logs', logs.id);
    }
  }

  // Which key encrypts what.
  for (const block of blocks) {
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
  const accountsOf = (stack: string) => [...accounts].filter(([, entry]) => entry.stacks.includes(stack)).length;
  for (const [account, { region, stacks }] of [...accounts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  subgraph ${accountId(account)}["account ${account} · ${[...region].sort().join(', ')}"]`);
    for (const stack of stacks.sort((a, b) => (waveOf.get(a) ?? 0) - (waveOf.get(b) ?? 0) || a.localeCompare(b))) {
      // A stack that works in several accounts (the Terraform Cloud bootstrap) shows its part in each.
      const id = nodeId(accountsOf(stack) > 1 ? `stack.${stack}.${account}` : `stack.${stack}`);
      lines.push(`    subgraph ${id}["stack ${stack} · apply wave ${waveOf.get(stack)}"]`);
      for (const node of nodes.filter((n) => n.block?.stack === stack && n.account === account)) {
        lines.push(`      ${node.id}${node.shape}`);
      }
      lines.push('    end');
    }
    for (const node of nodes.filter((n) => !n.block && n.account === account)) lines.push(`    ${node.id}${node.shape}`);
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
    'Accounts, their stacks and apply waves, the roles and resources in them; hexagons: what exists before the ' +
      'stacks and the deploy actions change or a role assumes (a CloudFormation stack, an ECS service, another ' +
      'pipeline, a Terraform role); trapezoids: identity providers. Solid arrows: who may assume a role (trust ' +
      'policies, including the tokens of Terraform Cloud workspaces) and what a role may do to a resource (identity ' +
      'policies, labelled with the statement ids); dotted arrows: the resource a service role runs for; thick arrows: ' +
      'events, pushes, alarms, log files and access logs; dotted lines: the key that encrypts a bucket or topic.',
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
  | { kind: 'service'; service: string; sourceArn?: string }
  /** Holders of a token of an OIDC provider whose subject is one of these. */
  | { kind: 'federated'; provider: string; subjects: string[] };

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
    for (const provider of statement.Principal.Federated ?? []) {
      const host = provider.replace(/^arn:aws:iam::\d{12}:oidc-provider\//, '');
      out.push({ kind: 'federated', provider, subjects: conditionValues(`${host}:sub`) });
    }
    for (const service of statement.Principal.Service ?? []) {
      const sourceArns = conditionValues('aws:SourceArn');
      if (sourceArns.length === 0) out.push({ kind: 'service', service });
      else out.push(...sourceArns.map((sourceArn) => ({ kind: 'service' as const, service, sourceArn })));
    }
  }
  return out;
}

/** Who holds the tokens a trust admits: the Terraform Cloud workspaces its subjects name, or how many subjects. */
function tokenHolders(subjects: string[]): string {
  const workspaces = subjects.map((s) => /^organization:[^:]+:project:[^:]+:workspace:([^:]+):run_phase:\w+$/.exec(s)?.[1]);
  if (subjects.length > 0 && workspaces.every((w) => w !== undefined)) return `workspaces ${[...new Set(workspaces)].join(', ')}`;
  return subjects.length > 0 ? `${subjects.length} subject(s)` : 'any subject';
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

/** The README shows the example's topology between these markers. */
export const README_FILE = 'README.md';
const README_START = '<!-- diagram:start -->';
const README_END = '<!-- diagram:end -->';

/** The README with the topology diagram between its markers replaced. */
export function withReadmeDiagram(readme: string, app: SynthesizedApp): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${README_FILE} has no ${README_START} ... ${README_END} markers`);
  const { topology } = renderDiagram(app);
  return `${readme.slice(0, start + README_START.length)}\n\`\`\`mermaid\n${topology}\n\`\`\`\n${readme.slice(end)}`;
}
