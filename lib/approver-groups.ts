/**
 * Approver groups (two-person approvals): how a group's roles read as ARN
 * patterns, whether two groups could share a role, and the ARN of an approval
 * action. CodePipeline authorizes `codepipeline:PutApprovalResult` on the
 * approval action's ARN, `arn:aws:codepipeline:<region>:<account>:<pipeline>/<stage>/<action>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodepipeline.html#awscodepipeline-resources-for-iam-policies,
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-iam-permissions.html).
 */

export interface ApproverGroup {
  name: string;
  roles: string[];
}

/** A role entry as an ARN glob: a role ARN as is, a role-name pattern as a role of the account without a path. */
export function approverRoleArnPattern(role: string, accountId: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`;
}

/** Whether some string matches both globs (`*` any run of characters, `?` one character). */
export function globsIntersect(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const visit = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, false);
    let result = false;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === '*') result = visit(i + 1, j) || (j < b.length && visit(i, j + 1));
    else if (j < b.length && b[j] === '*') result = visit(i, j + 1) || (i < a.length && visit(i + 1, j));
    else if (i < a.length && j < b.length && (a[i] === b[j] || a[i] === '?' || b[j] === '?')) result = visit(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return visit(0, 0);
}

/** Pairs of entries of two groups that some role matches both of. */
export function overlappingRoles(a: ApproverGroup, b: ApproverGroup, accountId: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const x of a.roles) {
    for (const y of b.roles) {
      if (globsIntersect(approverRoleArnPattern(x, accountId), approverRoleArnPattern(y, accountId))) pairs.push([x, y]);
    }
  }
  return pairs;
}

export function approvalActionArn(account: { id: string; region: string }, pipeline: string, stage: string, action: string): string {
  return `arn:aws:codepipeline:${account.region}:${account.id}:${pipeline}/${stage}/${action}`;
}
