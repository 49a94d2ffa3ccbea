import { ACTION_CONFIGURATION_VALUE_MAX, arnAccount, arnRegion, jsonencodedLength, type Problem } from '../lib/config/problem';
import type { TargetConfig } from '../lib/config/schema';

/** IAM cannot pass a role of another account: each role must be in the target account. */
export function rolesInTargetAccount(target: TargetConfig, roles: string[], path: string): Problem[] {
  return roles.flatMap((role, i) =>
    arnAccount(role) === target.account.id
      ? []
      : [{ path: `${path}[${i}]`, message: `must be a role of the target account ${target.account.id}: IAM cannot pass roles across accounts` }],
  );
}

/** An ARN of a resource the target deploys to must be in the target's account and region. */
export function inTargetAccountAndRegion(target: TargetConfig, arn: string | undefined, path: string): Problem[] {
  if (arn === undefined) return [];
  const { id, region } = target.account;
  return arnAccount(arn) === id && arnRegion(arn) === region
    ? []
    : [{ path, message: `must be in the target account ${id} and region ${region}` }];
}

/** A JSON action configuration value must fit CodePipeline's limit once Terraform encodes it. */
export function fitsActionConfiguration(value: unknown, path: string, what: string): Problem[] {
  const length = jsonencodedLength(value);
  return length <= ACTION_CONFIGURATION_VALUE_MAX
    ? []
    : [
        {
          path,
          message: `${what} encode to ${length} characters of JSON; CodePipeline allows ${ACTION_CONFIGURATION_VALUE_MAX} per action configuration value`,
        },
      ];
}
