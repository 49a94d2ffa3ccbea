import { deployKindOf } from '../deploy-kinds';
import type { PipelineConfig, TargetConfig } from './config/schema';

/** CodePipeline quotas that cannot be raised (seed 000; AWS CodePipeline quotas page). */
export const CODEPIPELINE_LIMITS = {
  stagesPerPipeline: 50,
  actionsPerStage: 50,
  actionsPerPipeline: 500,
} as const;

export type PlannedAction =
  | { kind: 'source'; name: string }
  | { kind: 'build'; name: string }
  | { kind: 'approval'; name: string; target: TargetConfig }
  /** One step of a target's deploy kind; steps of one target run one after another. */
  | { kind: 'deploy'; name: string; target: TargetConfig; step: string; runOrder: number };

export interface PlannedStage {
  name: string;
  actions: PlannedAction[];
}

/**
 * The pipeline's stages and actions, in release order. Both the configuration
 * rules (CodePipeline limits) and the pipeline module read this one plan, so
 * what is validated is exactly what is synthesized.
 */
export function planStages(config: Pick<PipelineConfig, 'targets'>): PlannedStage[] {
  const stages: PlannedStage[] = [
    { name: 'Source', actions: [{ kind: 'source', name: 'Source' }] },
    { name: 'Build', actions: [{ kind: 'build', name: 'Build' }] },
  ];
  for (const target of config.targets) {
    if (target.approval !== false) {
      stages.push({ name: `Approve-${target.name}`, actions: [{ kind: 'approval', name: `Approve-${target.name}`, target }] });
    }
    stages.push({ name: `Deploy-${target.name}`, actions: deployActions(target) });
  }
  return stages;
}

function deployActions(target: TargetConfig): PlannedAction[] {
  return deployKindOf(target)
    .steps(target.deploy)
    .map((step, i) => ({ kind: 'deploy', name: `${step}-${target.name}`, target, step, runOrder: i + 1 }));
}

/** Human-readable reasons the plan exceeds CodePipeline's limits; empty when it fits. */
export function limitViolations(stages: PlannedStage[]): string[] {
  const problems: string[] = [];
  if (stages.length > CODEPIPELINE_LIMITS.stagesPerPipeline) {
    const approvals = stages.filter((s) => s.actions.some((a) => a.kind === 'approval')).length;
    problems.push(
      `the pipeline needs ${stages.length} stages (Source, Build, ${stages.length - 2 - approvals} deploy and ` +
        `${approvals} approval stages); CodePipeline allows ${CODEPIPELINE_LIMITS.stagesPerPipeline} stages per pipeline`,
    );
  }
  for (const stage of stages) {
    if (stage.actions.length > CODEPIPELINE_LIMITS.actionsPerStage) {
      problems.push(
        `stage ${stage.name} needs ${stage.actions.length} actions; CodePipeline allows ` +
          `${CODEPIPELINE_LIMITS.actionsPerStage} actions per stage`,
      );
    }
  }
  const actions = stages.reduce((sum, s) => sum + s.actions.length, 0);
  if (actions > CODEPIPELINE_LIMITS.actionsPerPipeline) {
    problems.push(
      `the pipeline needs ${actions} actions; CodePipeline allows ${CODEPIPELINE_LIMITS.actionsPerPipeline} actions per pipeline`,
    );
  }
  return problems;
}
