import {
  type AllowedConditionExpression,
  type AllowedConditionLeaf,
  type EvaluationResult,
  getDenialReasons,
  getGrantReasons,
  type RequestAnalysis,
  runSimulation,
  type Simulation,
  type SimulationOptions,
} from '@cloud-copilot/iam-simulate';
import { type AccessModel, defaultKeyPolicy, type Policy } from './model';
import type { AccessPath, Actor } from './paths';
import type { PolicyJson } from './policy-render';

export interface Outcome {
  path: AccessPath;
  result: EvaluationResult | 'Error';
  /** The statements that decided, e.g. `identity least-privilege#ReadsArtifacts + bucket policy#SourceReadsWritesArtifacts`. */
  deciding: string;
  /** Why this row fails the run; empty when it proves what it claims. */
  problems: string[];
}

const SESSION_NAME = 'verify';

const EVERYTHING: PolicyJson = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Everything', Effect: 'Allow', Action: ['*'], Resource: ['*'] }],
};

/** The principal string, identity policies, boundary and context keys a request of this actor carries. */
function principalOf(
  model: AccessModel,
  actor: Actor,
): Pick<Simulation, 'identityPolicies' | 'permissionBoundaryPolicies'> & {
  principal: string;
  context: Record<string, string>;
} {
  switch (actor.kind) {
    case 'role': {
      const role = model.role(actor.arn);
      const widened = actor.widened === true;
      return {
        principal: `arn:aws:sts::${role.account}:assumed-role/${role.name}/${SESSION_NAME}`,
        identityPolicies: widened
          ? [{ name: 'widened to everything', policy: EVERYTHING }]
          : role.identity.map(asSimulationPolicy),
        permissionBoundaryPolicies: !widened && role.boundary ? [asSimulationPolicy(role.boundary)] : undefined,
        context: {
          'aws:PrincipalArn': role.arn,
          'aws:PrincipalAccount': role.account,
          'aws:PrincipalType': 'AssumedRole',
          'aws:PrincipalIsAWSService': 'false',
        },
      };
    }
    case 'named-role': {
      const [, , , , account, resource] = actor.arn.split(':');
      const name = resource.split('/').pop();
      return {
        principal: `arn:aws:sts::${account}:assumed-role/${name}/${SESSION_NAME}`,
        identityPolicies: [{ name: 'its own policies, not in the stacks', policy: EVERYTHING }],
        context: {
          'aws:PrincipalArn': actor.arn,
          'aws:PrincipalAccount': account,
          'aws:PrincipalType': 'AssumedRole',
          'aws:PrincipalIsAWSService': 'false',
        },
      };
    }
    case 'outsider':
      return {
        principal: `arn:aws:sts::${actor.account}:assumed-role/administrator/${SESSION_NAME}`,
        identityPolicies: [{ name: 'administrator of its own account', policy: EVERYTHING }],
        context: {
          'aws:PrincipalArn': `arn:aws:iam::${actor.account}:role/administrator`,
          'aws:PrincipalAccount': actor.account,
          'aws:PrincipalType': 'AssumedRole',
          'aws:PrincipalIsAWSService': 'false',
        },
      };
    case 'web-identity':
      // sts:AssumeRoleWithWebIdentity is called with the token alone: the provider is the principal, there is no identity.
      return { principal: actor.provider, identityPolicies: [], context: {} };
    case 'service':
      return {
        principal: actor.service,
        identityPolicies: [],
        context: {
          'aws:PrincipalServiceName': actor.service,
          'aws:PrincipalIsAWSService': 'true',
          ...(actor.sourceAccount ? { 'aws:SourceAccount': actor.sourceAccount } : {}),
          ...(actor.sourceArn ? { 'aws:SourceArn': actor.sourceArn } : {}),
        },
      };
  }
}

function asSimulationPolicy(policy: Policy): { name: string; policy: PolicyJson } {
  return { name: policy.name, policy: policy.document };
}

/** The simulation of one request: its principal's policies, the resource's policy and the full request context. */
function simulationFor(model: AccessModel, path: AccessPath): Simulation {
  const resource = model.canonicalResource(path.resource);
  const resourceAccount = path.account ?? model.resourceAccount(resource);
  const { principal, identityPolicies, permissionBoundaryPolicies, context } = principalOf(model, path.actor);
  const contextVariables: Record<string, string> = {
    ...context,
    'aws:SecureTransport': 'true',
    'aws:ResourceAccount': resourceAccount,
    ...path.context,
  };
  for (const key of path.absent ?? []) delete contextVariables[key];
  // A key outside the stacks is assumed to keep AWS's default policy, which lets its account's IAM policies decide.
  const resourcePolicy =
    model.resourcePolicyFor(path.action, resource) ??
    (path.outsideStacks && path.action.startsWith('kms:')
      ? { name: 'assumed default key policy', document: defaultKeyPolicy(resourceAccount), origin: 'outside the stacks' }
      : undefined);
  return {
    request: { principal, action: path.action, resource: { resource, accountId: resourceAccount }, contextVariables },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy: resourcePolicy.document } : {}),
    ...(permissionBoundaryPolicies ? { permissionBoundaryPolicies } : {}),
  };
}

/** Evaluates one path with iam-simulate in strict mode and judges the result. */
export async function evaluate(model: AccessModel, path: AccessPath): Promise<Outcome> {
  let simulation: Simulation;
  try {
    simulation = simulationFor(model, path);
  } catch (error) {
    return { path, result: 'Error', deciding: '', problems: [(error as Error).message] };
  }
  const claims = path.actor.kind === 'web-identity' ? path.actor.claims : undefined;
  const response = await runSimulation(simulation, claims ? discoveryOptions(simulation, path) : { simulationMode: 'Strict' });
  if (response.resultType === 'error') {
    return {
      path,
      result: 'Error',
      deciding: '',
      problems: [`the engine refused the request: ${describeErrors(response.errors)}`],
    };
  }
  if (response.resultType !== 'single') {
    return { path, result: 'Error', deciding: '', problems: ['the request resource is a pattern; paths must name one resource'] };
  }
  const { analysis } = response.result;
  const problems = missingKeyDecisions(analysis, [...(path.absent ?? []), ...Object.keys(claims ?? {})]);
  const ignored = response.result.ignoredContextKeys ?? [];
  if (ignored.length > 0)
    problems.push(`the engine ignored context keys that do not apply to ${path.action}: ${ignored.join(', ')}`);
  let { deciding, explicitDenies } = decidingStatements(model, path, analysis, !!simulation.resourcePolicy);
  let result = analysis.result;
  if (claims && result === 'Allowed') {
    const decision = claimDecision(analysis.conditions, claims);
    problems.push(...decision.problems);
    if (decision.holds) {
      if (decision.tested.length > 0) deciding += ` on token claims ${decision.tested.join(', ')}`;
    } else {
      const { refusedBy } = decision;
      const byDenyOnly = refusedBy.length > 0 && refusedBy.every((leaf) => leaf.sources.every((s) => s.effect === 'Deny'));
      result = byDenyOnly ? 'ExplicitlyDenied' : 'ImplicitlyDenied';
      deciding =
        refusedBy.map((leaf) => `${describeSources(model, path, leaf)} refuses token claim ${leaf.key}`).join('; ') ||
        'no token claims satisfy the policies';
      explicitDenies = [];
    }
  }
  problems.push(...judge(path, result, deciding, explicitDenies));
  return { path, result, deciding, problems };
}

/**
 * Engine options for a web-identity request. iam-data lists the token claim
 * keys of a few identity providers only (not Terraform Cloud's
 * `app.terraform.io:sub`), and the strict engine drops keys it does not list
 * for the action. In Discovery mode, with every key the request carries or
 * deliberately lacks declared authoritative, the engine decides everything
 * else exactly and returns the conditions it could not decide: those on the
 * token's claims, which `claimDecision` then evaluates.
 */
function discoveryOptions(simulation: Simulation, path: AccessPath): SimulationOptions {
  const keys = [...Object.keys(simulation.request.contextVariables), ...(path.absent ?? [])];
  return {
    simulationMode: 'Discovery',
    discoveryContextKeyConstraints: keys.map((keyName) => ({ keyName, presenceIsKnown: true, valueIsKnown: true })),
  };
}

/**
 * Evaluates the conditions the engine left open against the token's claims.
 * Only the string operators trust policies use on claims are evaluated; any
 * other operator, or a condition on a key that is not a claim, fails the run.
 */
function claimDecision(
  expression: AllowedConditionExpression | undefined,
  claims: Record<string, string>,
): { holds: boolean; refusedBy: AllowedConditionLeaf[]; tested: string[]; problems: string[] } {
  const claimOf = new Map(Object.entries(claims).map(([key, value]) => [key.toLowerCase(), value]));
  const refusedBy: AllowedConditionLeaf[] = [];
  const tested = new Set<string>();
  const problems: string[] = [];
  const holds = (e: AllowedConditionExpression): boolean => {
    switch (e.conditionType) {
      case 'always':
        return true;
      case 'never':
        return false;
      case 'group': {
        const results = e.conditions.map(holds);
        return e.operator === 'and' ? results.every(Boolean) : results.some(Boolean);
      }
      case 'sessionName':
        problems.push('the engine left a role session name condition open, which a web-identity request does not decide');
        return false;
      case 'condition': {
        const value = claimOf.get(e.key.toLowerCase());
        if (value === undefined) {
          problems.push(`the engine left a condition on ${e.key} open, which is not a claim of the token`);
          return false;
        }
        const matches = CLAIM_OPERATORS[e.op];
        if (!matches) {
          problems.push(`the verifier does not evaluate ${e.op} on token claim ${e.key}`);
          return false;
        }
        tested.add(e.key);
        const result = e.values.some((pattern) => matches(value, pattern)) !== (e.inverted === true);
        if (!result) refusedBy.push(e);
        return result;
      }
    }
  };
  const verdict = expression === undefined || holds(expression);
  return { holds: verdict, refusedBy: verdict ? [] : refusedBy, tested: [...tested].sort(), problems };
}

/** String operators on single-valued claims, as IAM defines them (StringLike: `*` any run, `?` one character). */
const CLAIM_OPERATORS: Record<string, (value: string, pattern: string) => boolean> = {
  StringEquals: (value, pattern) => value === pattern,
  StringLike: (value, pattern) => globPattern(pattern).test(value),
};

function globPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + escaped.replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
}

/** The statements a condition came from, as the report names them. */
function describeSources(model: AccessModel, path: AccessPath, leaf: AllowedConditionLeaf): string {
  return leaf.sources
    .map((source) => {
      const policy = source.policyType === 'resource' ? resourceKindOf(model, path) : policyTypeName(source.policyType);
      return `${policy}#${source.statementId ?? source.statementIndex}`;
    })
    .join(', ');
}

/** Why the result does not prove the path's claim; empty when it does. */
function judge(path: AccessPath, result: EvaluationResult, deciding: string, explicitDenies: string[]): string[] {
  if (path.expect === 'Allowed') return result === 'Allowed' ? [] : [`must be allowed, but is ${result}`];
  if (result === 'Allowed') return ['must be denied, but is allowed'];
  if (!deciding) return ['denied without a deciding policy (unexplained denial)'];
  if (path.deniedBySid && !explicitDenies.includes(path.deniedBySid)) {
    return [`must be denied by statement ${path.deniedBySid}, but was denied by: ${deciding}`];
  }
  return [];
}

/** The statements that allowed or denied the request, in words, and the Sids of explicit denies. */
function decidingStatements(
  model: AccessModel,
  path: AccessPath,
  analysis: RequestAnalysis,
  hasResourcePolicy: boolean,
): { deciding: string; explicitDenies: string[] } {
  const resourceKind = resourceKindOf(model, path);
  if (analysis.result === 'Allowed') {
    const deciding = getGrantReasons(analysis)
      .map((g) =>
        g.policyType === 'resource'
          ? `${resourceKind}#${g.statementId ?? g.statementIndex}`
          : `${g.policyType === 'pb' ? `boundary ${policyName(g.policyIdentifier)}` : `${g.policyType} ${g.policyIdentifier}`}#${
              g.statementId ?? g.statementIndex
            }`,
      )
      .join(' + ');
    return { deciding, explicitDenies: [] };
  }
  const reasons = getDenialReasons(analysis);
  const explicitDenies: string[] = [];
  const words = reasons.map((r) => {
    const policy = r.policyType === 'resource' ? resourceKind : policyTypeName(r.policyType);
    if (r.denialType === 'Implicit') return `no Allow in ${policy}`;
    if (r.statementId) explicitDenies.push(r.statementId);
    return `Deny in ${r.policyType === 'resource' ? policy : `${policy} ${policyName(r.policyIdentifier)}`.trim()}#${
      r.statementId ?? r.statementIndex
    }`;
  });
  // The engine lists no reason when another account's request meets no resource policy at all.
  if (words.length === 0 && !analysis.sameAccount && !hasResourcePolicy)
    words.push('another account, and no resource policy admits it');
  return { deciding: words.join('; '), explicitDenies };
}

function resourceKindOf(model: AccessModel, path: AccessPath): string {
  if (path.action.toLowerCase().startsWith('sts:assumerole')) return 'trust policy';
  if (path.outsideStacks && path.action.startsWith('kms:')) return 'assumed default key policy';
  const resource = model.canonicalResource(path.resource);
  return model.resourcePolicies.find((p) => p.covers(resource))?.policy.name ?? 'resource policy';
}

/** A managed policy by its name (`arn:aws:iam::1:policy/webapp-pipeline-boundary` → `webapp-pipeline-boundary`). */
function policyName(identifier: string | undefined): string {
  return identifier?.split('/').pop() ?? '';
}

function policyTypeName(type: string): string {
  return (
    { identity: 'identity policies', pb: 'permissions boundary', scp: 'SCPs', rcp: 'RCPs', vpce: 'endpoint policy' }[type] ?? type
  );
}

/**
 * Statements that applied to the request (action, resource and principal
 * matched) but whose conditions were decided by a key the request lacked:
 * the verifier's context was incomplete, so the result proves nothing.
 */
function missingKeyDecisions(analysis: RequestAnalysis, deliberatelyAbsent: string[]): string[] {
  const absent = new Set(deliberatelyAbsent.map((k) => k.toLowerCase()));
  const groups = [
    analysis.identityAnalysis,
    analysis.resourceAnalysis,
    analysis.permissionBoundaryAnalysis,
    analysis.sessionAnalysis,
  ];
  const problems = new Set<string>();
  for (const group of groups) {
    if (!group) continue;
    for (const statement of [...group.allowStatements, ...group.denyStatements, ...group.unmatchedStatements]) {
      if (!statement.actionMatch || !statement.resourceMatch || statement.principalMatch === 'NoMatch') continue;
      for (const condition of statement.explain.conditions ?? []) {
        const missing = condition.failedBecauseMissing || condition.matchedBecauseMissing;
        if (missing && !absent.has(condition.conditionKeyValue.toLowerCase())) {
          problems.add(
            `statement ${statement.statement.sid() ?? statement.statement.index()} was decided by context key ` +
              `${condition.conditionKeyValue}, which the request did not carry`,
          );
        }
      }
    }
  }
  return [...problems];
}

function describeErrors(errors: unknown): string {
  const { message, ...details } = errors as { message: string };
  return `${message} ${JSON.stringify(details)}`;
}
