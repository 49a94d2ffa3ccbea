import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { approverRoleArnPattern } from '../lib/approver-groups';
import { PolicyDocument } from './policy-document';

/** One approval action that only one group may answer. */
export interface GroupApproval {
  /** Snake-case construct id, e.g. `production_release_managers`. */
  id: string;
  policyName: string;
  group: { name: string; roles: string[] };
  stage: string;
  action: string;
  actionArn: string;
}

export interface ApproverGroupsProps {
  provider: AwsProvider;
  accountId: string;
  pipelineName: string;
  approvals: GroupApproval[];
  ruleName: string;
  /** Topic the rule alerts (the platform's security alerts), when alerts are on. */
  alertTopicArn?: string;
}

/**
 * Two-person approvals. CodePipeline authorizes PutApprovalResult through the
 * approver's own identity policies (there is no resource policy on a
 * pipeline), so each group gets a managed policy that allows exactly that
 * action on exactly its approval action, for the platform team to attach to
 * the group's roles. An EventBridge rule on the CloudTrail events of the
 * default bus alerts when an approval action is answered by anyone outside
 * its group (someone whose own policies allow more).
 */
export class ApproverGroups extends Construct {
  readonly policyArns: string[] = [];

  constructor(scope: Construct, id: string, props: ApproverGroupsProps) {
    super(scope, id);
    const { provider } = props;
    for (const approval of props.approvals) {
      const document = new PolicyDocument(this, `${approval.id}_document`, {
        provider,
        statements: [
          {
            sid: 'AnswersItsApprovalAction',
            actions: ['codepipeline:PutApprovalResult'],
            resources: [approval.actionArn],
          },
        ],
      });
      const policy = new IamPolicy(this, approval.id, {
        provider,
        name: approval.policyName,
        description: `Lets approver group ${approval.group.name} answer ${props.pipelineName}/${approval.stage}/${approval.action}; attach it to the group's roles`,
        policy: document.json,
      });
      this.policyArns.push(policy.arn);
    }
    const rule = new CloudwatchEventRule(this, 'outsider_rule', {
      provider,
      name: props.ruleName,
      description: `Alerts when an approval of ${props.pipelineName} is answered by anyone outside its approver group`,
      eventPattern: Fn.jsonencode(outsiderApprovalPattern(props.pipelineName, props.approvals, props.accountId)),
    });
    if (props.alertTopicArn) {
      new CloudwatchEventTarget(this, 'outsider_target', {
        provider,
        rule: rule.name,
        targetId: 'security-alerts',
        arn: props.alertTopicArn,
      });
    }
  }
}

/**
 * PutApprovalResult on one of the group approval actions, by a caller that is
 * not an assumed role at all (a user, the root user) or whose role is not one
 * of that action's group (`anything-but` with `wildcard`:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-anything-but-wildcard).
 */
export function outsiderApprovalPattern(pipelineName: string, approvals: GroupApproval[], accountId: string): Record<string, unknown> {
  const branches = approvals.flatMap((approval) => {
    const action = { pipelineName: [pipelineName], stageName: [approval.stage], actionName: [approval.action] };
    return [
      { requestParameters: action, userIdentity: { type: [{ 'anything-but': 'AssumedRole' }] } },
      {
        requestParameters: action,
        userIdentity: {
          sessionContext: {
            sessionIssuer: {
              arn: [{ 'anything-but': { wildcard: approval.group.roles.map((role) => approverRoleArnPattern(role, accountId)) } }],
            },
          },
        },
      },
    ];
  });
  return {
    source: ['aws.codepipeline'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['codepipeline.amazonaws.com'], eventName: ['PutApprovalResult'], $or: branches },
  };
}
