import { baseConfig, everyKindTargets } from './support/configs';
import { config, policyStatements, resourcesOfType, synthesize, type TerraformJson, problemsOf } from './support/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
const cfg = config(baseConfig(everyKindTargets()));
const { stacks } = synthesize(cfg);
const pipeline = stacks["rel-pipeline"].resource.aws_codepipeline.pipeline;

function actionsOf(target: string): any[] {
  return pipeline.stage.flatMap((s: any) => s.action).filter((a: any) => a.name.endsWith(`-${target}`) && !a.name.startsWith('Approve'));
}

function output(target: string, name: string): string {
  return `\${data.terraform_remote_state.remote_rel_target_${target}.outputs.${name}}`;
}

/** Statements of a role's permission policy, by the role's construct path. */
function roleStatements(stack: TerraformJson, role: string): any[] {
  return stack.data.aws_iam_policy_document[`${role}_permissions`].statement;
}

function allowedActions(statements: any[]): string[] {
  return statements.filter((s) => s.effect === 'Allow').flatMap((s) => s.actions);
}

describe('deploy actions', () => {
  it('s3: extracts the build output into the target bucket under the prefix, encrypted with its key', () => {
    expect(actionsOf('site')).toEqual([
      {
        name: 'Deploy-site',
        category: 'Deploy',
        owner: 'AWS',
        provider: 'S3',
        version: '1',
        run_order: 1,
        region: 'eu-west-1',
        role_arn: output('site', 'deploy_role_arn'),
        input_artifacts: ['build_output'],
        configuration: {
          BucketName: output('site', 'deploy_bucket_name'),
          Extract: 'true',
          ObjectKey: 'release/',
          KMSEncryptionKeyARN: output('site', 'deploy_key_arn'),
        },
      },
    ]);
  });

  it('cloudformation: creates or updates the stack as the execution role, with overrides and capabilities', () => {
    expect(actionsOf('stack')).toEqual([
      expect.objectContaining({
        name: 'Deploy-stack',
        provider: 'CloudFormation',
        run_order: 1,
        role_arn: output('stack', 'deploy_role_arn'),
        input_artifacts: ['build_output'],
        configuration: {
          ActionMode: 'CREATE_UPDATE',
          StackName: 'orders-api',
          TemplatePath: 'build_output::cfn/template.yaml',
          RoleArn: output('stack', 'cloudformation_execution_role_arn'),
          Capabilities: 'CAPABILITY_AUTO_EXPAND',
          ParameterOverrides: '${jsonencode({"Version" = "#{SourceVariables.CommitId}"})}',
        },
      }),
    ]);
  });

  it('cloudformation change-set: creates the change set, then executes it in the same stage', () => {
    const [create, execute] = actionsOf('changes');
    expect(create).toMatchObject({
      name: 'CreateChangeSet-changes',
      run_order: 1,
      configuration: {
        ActionMode: 'CHANGE_SET_REPLACE',
        StackName: 'orders-db',
        ChangeSetName: 'pipeline',
        TemplatePath: 'build_output::template.yaml',
        RoleArn: output('changes', 'cloudformation_execution_role_arn'),
      },
    });
    expect(execute).toEqual(
      expect.objectContaining({
        name: 'ExecuteChangeSet-changes',
        run_order: 2,
        role_arn: output('changes', 'deploy_role_arn'),
        configuration: { ActionMode: 'CHANGE_SET_EXECUTE', StackName: 'orders-db', ChangeSetName: 'pipeline' },
      }),
    );
    expect(execute.input_artifacts).toBeUndefined();
  });

  it('ecs: rolls the named service out with the image definitions file', () => {
    expect(actionsOf('rolling')).toEqual([
      expect.objectContaining({
        provider: 'ECS',
        input_artifacts: ['build_output'],
        configuration: { ClusterName: 'apps', ServiceName: 'orders', FileName: 'imagedefinitions.json', DeploymentTimeout: '30' },
      }),
    ]);
  });

  it('ecs-blue-green: deploys the CodeDeploy group with the task definition, AppSpec and image from the build output', () => {
    expect(actionsOf('bluegreen')).toEqual([
      expect.objectContaining({
        provider: 'CodeDeployToECS',
        input_artifacts: ['build_output'],
        configuration: {
          ApplicationName: output('bluegreen', 'codedeploy_application_name'),
          DeploymentGroupName: output('bluegreen', 'codedeploy_deployment_group_name'),
          TaskDefinitionTemplateArtifact: 'build_output',
          TaskDefinitionTemplatePath: 'taskdef.json',
          AppSpecTemplateArtifact: 'build_output',
          AppSpecTemplatePath: 'appspec.yaml',
          Image1ArtifactName: 'build_output',
          Image1ContainerName: 'IMAGE1_NAME',
        },
      }),
    ]);
  });

  it('invoke-pipeline: starts the pipeline by its plain name with variables and this source revision', () => {
    expect(actionsOf('downstream')).toEqual([
      {
        name: 'Invoke-downstream',
        category: 'Invoke',
        owner: 'AWS',
        provider: 'CodePipeline',
        version: '1',
        run_order: 1,
        region: 'eu-west-1',
        role_arn: output('downstream', 'deploy_role_arn'),
        configuration: {
          PipelineName: 'orders-release',
          Variables: '${jsonencode([{"name" = "RELEASE", "value" = "#{SourceVariables.CommitId}"}])}',
          SourceRevisions:
            '${jsonencode([{"actionName" = "Source", "revisionType" = "COMMIT_ID", "revisionValue" = "#{SourceVariables.CommitId}"}])}',
        },
      },
    ]);
  });
});

describe('deploy roles', () => {
  const target = (name: string) => stacks[`rel-target-${name}`];

  it('s3: writes under the prefix and nothing of CloudFormation, ECS, CodeDeploy or CodePipeline', () => {
    const statements = roleStatements(target('site'), 'deploy_role');
    expect(statements.map((s) => s.sid)).toEqual([
      'ReadsArtifacts',
      'ListsArtifactBucket',
      'DecryptsArtifacts',
      'WritesReleaseObjects',
      'LocatesDeployBucket',
      'EncryptsReleaseObjects',
    ]);
    expect(allowedActions(statements).filter((a) => /^(cloudformation|ecs|codedeploy|codepipeline|iam):/.test(a))).toEqual([]);
  });

  it('cloudformation: changes only its stack and passes only its execution role, only to CloudFormation', () => {
    const statements = roleStatements(target('stack'), 'deploy_role');
    const stackArn = 'arn:aws:cloudformation:eu-west-1:300000000002:stack/orders-api/*';
    expect(statements.find((s) => s.sid === 'CreatesUpdatesStack')).toMatchObject({
      actions: ['cloudformation:CreateStack', 'cloudformation:DescribeStacks', 'cloudformation:GetTemplate', 'cloudformation:UpdateStack'],
      resources: [stackArn],
    });
    expect(statements.find((s) => s.sid === 'PassesExecutionRoleToCloudFormation')).toEqual({
      sid: 'PassesExecutionRoleToCloudFormation',
      effect: 'Allow',
      actions: ['iam:PassRole'],
      resources: ['arn:aws:iam::300000000002:role/acme-rel-cfn-stack'],
      condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['cloudformation.amazonaws.com'] }],
    });
    expect(allowedActions(statements).filter((a) => /^(ecs|codedeploy|codepipeline|s3:Put)/.test(a))).toEqual([]);
  });

  it('cloudformation: the execution role trusts only CloudFormation and holds only the configured statements', () => {
    const stack = target('stack');
    const trust = stack.data.aws_iam_policy_document.cloudformation_execution_role_trust.statement;
    expect(trust).toEqual([
      {
        sid: 'TrustServiceThatReceivesRole',
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['cloudformation.amazonaws.com'] }],
      },
    ]);
    expect(roleStatements(stack, 'cloudformation_execution_role')).toEqual([
      {
        sid: 'Grant1',
        effect: 'Allow',
        actions: ['dynamodb:CreateTable', 'dynamodb:DescribeTable'],
        resources: ['arn:aws:dynamodb:eu-west-1:300000000002:table/orders'],
      },
      {
        sid: 'PassesRolesToLambda',
        effect: 'Allow',
        actions: ['iam:PassRole'],
        resources: ['arn:aws:iam::300000000002:role/orders-function'],
        condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['lambda.amazonaws.com'] }],
      },
    ]);
    expect(resourcesOfType(stack, 'aws_iam_role_policy_attachment')).toEqual([]);
    expect(JSON.stringify(stack)).not.toContain('AdministratorAccess');
  });

  it('cloudformation: the account\'s boundary allows the services the execution role is granted, and passing roles to lambda', () => {
    const boundary = (name: string) => {
      const statements = target(name).data.aws_iam_policy_document.permissions_boundary_document.statement;
      return {
        services: statements.find((s: any) => s.sid === 'AllowPipelineServicesAtMost').actions,
        passedTo: statements.find((s: any) => s.sid === 'AllowPassingRolesToDeployServicesOnly').condition[0].values,
      };
    };
    expect(boundary('stack').services).toContain('dynamodb:*');
    expect(boundary('stack').passedTo).toEqual(['cloudformation.amazonaws.com', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com']);
    // Each account's boundary grows only with its own target's grants.
    expect(boundary('changes').services).toContain('dynamodb:*');
    expect(boundary('changes').passedTo).not.toContain('lambda.amazonaws.com');
    expect(boundary('site').services).not.toContain('dynamodb:*');
  });

  it('cloudformation change-set: manages only the named change set of its stack', () => {
    const statements = roleStatements(target('changes'), 'deploy_role');
    expect(statements.find((s) => s.sid === 'ManagesChangeSet')).toMatchObject({
      resources: ['arn:aws:cloudformation:eu-west-1:300000000003:stack/orders-db/*'],
      condition: [{ test: 'StringEqualsIfExists', variable: 'cloudformation:ChangeSetName', values: ['pipeline'] }],
    });
    expect(allowedActions(statements)).not.toContain('cloudformation:UpdateStack');
  });

  it('ecs: updates only its service and passes only the task roles named, only to ECS tasks', () => {
    const statements = roleStatements(target('rolling'), 'deploy_role');
    expect(statements.find((s) => s.sid === 'UpdatesService')).toMatchObject({
      actions: ['ecs:DescribeServices', 'ecs:UpdateService'],
      resources: ['arn:aws:ecs:eu-west-1:300000000004:service/apps/orders'],
    });
    expect(statements.find((s) => s.sid === 'PassesTaskRolesToEcsTasks')).toMatchObject({
      resources: ['arn:aws:iam::300000000004:role/orders-task', 'arn:aws:iam::300000000004:role/orders-execution'],
      condition: [{ test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] }],
    });
    expect(allowedActions(statements).filter((a) => /^(cloudformation|codedeploy|codepipeline):/.test(a))).toEqual([]);
  });

  it('ecs-blue-green: deploys only its CodeDeploy group and configuration', () => {
    const statements = roleStatements(target('bluegreen'), 'deploy_role');
    const bySid = Object.fromEntries(statements.map((s) => [s.sid, s.resources]));
    expect(bySid.DeploysGroup).toEqual(['arn:aws:codedeploy:eu-west-1:300000000005:deploymentgroup:acme-rel-bluegreen/acme-rel-bluegreen']);
    expect(bySid.RegistersRevision).toEqual(['arn:aws:codedeploy:eu-west-1:300000000005:application:acme-rel-bluegreen']);
    expect(bySid.ReadsDeploymentConfig).toEqual([
      'arn:aws:codedeploy:eu-west-1:300000000005:deploymentconfig:acme-rel-bluegreen-linear-10pct-every-2m',
    ]);
    expect(allowedActions(statements)).not.toContain('ecs:UpdateService');
  });

  it('ecs-blue-green: CodeDeploy shifts traffic linearly, rolls back on failure, as a role limited to the service', () => {
    const stack = target('bluegreen');
    expect(stack.resource.aws_codedeploy_deployment_config.codedeploy_deployment_config).toMatchObject({
      deployment_config_name: 'acme-rel-bluegreen-linear-10pct-every-2m',
      compute_platform: 'ECS',
      traffic_routing_config: { type: 'TimeBasedLinear', time_based_linear: { percentage: 10, interval: 2 } },
    });
    expect(stack.resource.aws_codedeploy_deployment_group.codedeploy_deployment_group).toMatchObject({
      deployment_style: { deployment_type: 'BLUE_GREEN', deployment_option: 'WITH_TRAFFIC_CONTROL' },
      auto_rollback_configuration: { enabled: true },
      ecs_service: { cluster_name: 'apps', service_name: 'orders' },
      load_balancer_info: { target_group_pair_info: { target_group: [{ name: 'orders-blue' }, { name: 'orders-green' }] } },
    });
    expect(stack.data.aws_iam_policy_document.codedeploy_role_trust.statement).toEqual([
      {
        sid: 'TrustServiceForThisAccount',
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['codedeploy.amazonaws.com'] }],
        condition: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['300000000005'] },
          { test: 'ArnLike', variable: 'aws:SourceArn', values: ['arn:aws:codedeploy:eu-west-1:300000000005:deploymentgroup:acme-rel-bluegreen/acme-rel-bluegreen'] },
        ],
      },
    ]);
    const service = roleStatements(stack, 'codedeploy_role').find((s) => s.sid === 'ReplacesTaskSets');
    expect(service.resources).toEqual([
      'arn:aws:ecs:eu-west-1:300000000005:service/apps/orders',
      'arn:aws:ecs:eu-west-1:300000000005:task-set/apps/orders/*',
    ]);
  });

  it('invoke-pipeline: may only start that one pipeline, and is granted nothing on the artifact store', () => {
    expect(roleStatements(target('downstream'), 'deploy_role')).toEqual([
      {
        sid: 'StartsPipeline',
        effect: 'Allow',
        actions: ['codepipeline:StartPipelineExecution'],
        resources: ['arn:aws:codepipeline:eu-west-1:300000000006:orders-release'],
      },
    ]);
    expect(JSON.stringify(stacks["rel-base"])).not.toContain('acme-rel-deploy-downstream');
    expect(target('downstream').data.terraform_remote_state).toBeUndefined();
  });

  it('never lets a role pass roles by wildcard or without naming the service it passes them to', () => {
    let passRoles = 0;
    for (const stack of Object.values(stacks)) {
      // The role policies; the boundary caps iam:PassRole by service for every role of its account.
      for (const [, rolePolicy] of resourcesOfType(stack, 'aws_iam_role_policy')) {
        for (const statement of policyStatements(stack, rolePolicy.policy).filter((s: any) => s.actions.includes('iam:PassRole'))) {
          expect(statement.actions).toEqual(['iam:PassRole']);
          for (const resource of statement.resources) expect(resource).toMatch(/^arn:aws:iam::\d{12}:role\/[\w+=,.@-]+$/);
          expect(statement.condition).toEqual([
            { test: 'StringEquals', variable: 'iam:PassedToService', values: [expect.stringMatching(/\.amazonaws\.com$/)] },
          ]);
          passRoles++;
        }
      }
    }
    // Two cloudformation deploy roles and one execution role, ecs, and ecs-blue-green's deploy and CodeDeploy roles.
    expect(passRoles).toBe(6);
  });

  it('lets the pipeline role assume exactly the deploy roles of the targets', () => {
    const policy = stacks["rel-pipeline"].resource.aws_iam_role_policy.pipeline_role_policy;
    const assume = policyStatements(stacks["rel-pipeline"], policy.policy).find((s) => s.sid === 'AssumesActionRoles');
    expect(assume.resources).toEqual([
      '${data.terraform_remote_state.remote_rel_repository.outputs.source_role_arn}',
      ...['site', 'stack', 'changes', 'rolling', 'bluegreen', 'downstream', 'function'].map((t) => output(t, 'deploy_role_arn')),
    ]);
  });
});

describe('deploy kind rules', () => {
  const raw = () => JSON.parse(JSON.stringify(baseConfig(everyKindTargets())));

  it('refuses task roles of another account: IAM cannot pass them', () => {
    const doc = raw();
    doc.targets[3].deploy.taskRoles = ['arn:aws:iam::999999999999:role/elsewhere'];
    expect(problemsOf(doc)).toEqual([
      {
        path: 'targets[3].deploy.taskRoles[0]',
        message: 'must be a role of the target account 300000000004: IAM cannot pass roles across accounts',
      },
    ]);
  });

  it('refuses a listener outside the target account or region, and one target group for blue and green', () => {
    const doc = raw();
    doc.targets[4].deploy.productionListener = doc.targets[4].deploy.productionListener.replace('eu-west-1', 'us-east-1');
    doc.targets[4].deploy.targetGroups = ['same', 'same'];
    expect(problemsOf(doc)).toEqual([
      { path: 'targets[4].deploy.productionListener', message: 'must be in the target account 300000000005 and region eu-west-1' },
      { path: 'targets[4].deploy.targetGroups', message: 'blue and green must be two different target groups' },
    ]);
  });

  it('refuses parameter overrides or variables that exceed a CodePipeline configuration value', () => {
    const doc = raw();
    doc.targets[1].deploy.parameterOverrides = { Big: 'x'.repeat(991) };
    doc.targets[5].deploy.variables = { A: '<'.repeat(170) };
    expect(problemsOf(doc)).toEqual([
      {
        path: 'targets[1].deploy.parameterOverrides',
        message: 'parameter overrides encode to 1001 characters of JSON; CodePipeline allows 1000 per action configuration value',
      },
      {
        path: 'targets[5].deploy.variables',
        message: 'the variables encode to 1045 characters of JSON; CodePipeline allows 1000 per action configuration value',
      },
    ]);
  });

  it('refuses an administrator or empty CloudFormation execution role, wildcard actions, and IAM changes', () => {
    const doc = raw();
    doc.targets[1].deploy.executionRole.statements[0].actions = ['*', 'dynamodb:*', 'dynamodb:Describe*', 'iam:CreateRole', 'sts:AssumeRole'];
    doc.targets[1].deploy.capabilities = ['CAPABILITY_IAM'];
    doc.targets[2].deploy.executionRole.statements = [];
    const wildcard = 'must be an exact action such as dynamodb:CreateTable: a wildcard would allow more than the template manages';
    const iam =
      'IAM, STS, Organizations and account actions are refused: no role of this project changes IAM or assumes roles ' +
      '(create the roles the template needs outside it, and pass them with executionRole.passRoles)';
    expect(problemsOf(doc)).toEqual([
      { path: 'targets[1].deploy.capabilities[0]', message: expect.stringContaining('the only capability is CAPABILITY_AUTO_EXPAND') },
      { path: 'targets[1].deploy.executionRole.statements[0].actions[0]', message: wildcard },
      { path: 'targets[1].deploy.executionRole.statements[0].actions[1]', message: wildcard },
      { path: 'targets[1].deploy.executionRole.statements[0].actions[2]', message: wildcard },
      { path: 'targets[1].deploy.executionRole.statements[0].actions[3]', message: iam },
      { path: 'targets[1].deploy.executionRole.statements[0].actions[4]', message: iam },
      {
        path: 'targets[2].deploy.executionRole.statements',
        message: 'grant the CloudFormation execution role what the template manages (it gets nothing else)',
      },
    ]);
  });

  it('refuses roles to pass that are not exact roles of the target account, or a service that is not a principal', () => {
    const malformed = raw();
    malformed.targets[1].deploy.executionRole.passRoles = [{ service: 'lambda', roles: ['arn:aws:iam::300000000002:role/fn-*'] }];
    expect(problemsOf(malformed)).toEqual([
      { path: 'targets[1].deploy.executionRole.passRoles[0].service', message: 'must be a service principal such as lambda.amazonaws.com' },
      { path: 'targets[1].deploy.executionRole.passRoles[0].roles[0]', message: expect.stringContaining('must be an IAM role ARN') },
    ]);
    const elsewhere = raw();
    elsewhere.targets[1].deploy.executionRole.passRoles = [
      { service: 'lambda.amazonaws.com', roles: ['arn:aws:iam::300000000002:role/ok', 'arn:aws:iam::999999999999:role/elsewhere'] },
    ];
    expect(problemsOf(elsewhere)).toEqual([
      {
        path: 'targets[1].deploy.executionRole.passRoles[0].roles[1]',
        message: 'must be a role of the target account 300000000002: IAM cannot pass roles across accounts',
      },
    ]);
  });

  it('refuses Terraform template syntax in values that land in HCL strings', () => {
    const doc = raw();
    doc.targets[5].deploy.variables = { A: '${var.secret}' };
    expect(problemsOf(doc)).toEqual([
      {
        path: 'targets[5].deploy.variables.A',
        message: 'must not contain "${" or "%{": Terraform would read it as a template (CodePipeline variables use "#{...}")',
      },
    ]);
  });
});
