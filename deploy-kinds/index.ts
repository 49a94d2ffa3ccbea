import type { DeployKindName, TargetConfig } from '../lib/config/schema';
import { cloudFormationDeploy } from './cloudformation';
import type { DeployKind } from './deploy-kind';
import { ecsDeploy } from './ecs';
import { ecsBlueGreenDeploy } from './ecs-blue-green';
import { invokePipelineDeploy } from './invoke-pipeline';
import { lambdaDeploy } from './lambda';
import { s3Deploy } from './s3';

export type { ActionContext, DeployKind, KindAction, NamedOutput, SourceRevision, TargetSide } from './deploy-kind';

/** Every deploy kind; the mapped type makes a kind without an implementation a compile error. */
const DEPLOY_KINDS: { [K in DeployKindName]: DeployKind<K> } = {
  s3: s3Deploy,
  cloudformation: cloudFormationDeploy,
  ecs: ecsDeploy,
  'ecs-blue-green': ecsBlueGreenDeploy,
  'invoke-pipeline': invokePipelineDeploy,
  lambda: lambdaDeploy,
};

export function isDeployKind(value: unknown): value is DeployKindName {
  return typeof value === 'string' && Object.hasOwn(DEPLOY_KINDS, value);
}

/** The implementation of a target's deploy kind. */
export function deployKindOf(target: Pick<TargetConfig, 'deploy'>): DeployKind<DeployKindName> {
  // Sound: DEPLOY_KINDS maps each kind to the implementation of exactly that kind.
  return DEPLOY_KINDS[target.deploy.kind] as unknown as DeployKind<DeployKindName>;
}
