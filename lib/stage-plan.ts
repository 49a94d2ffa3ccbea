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
  /** With approver groups, one action per group, in the groups' order (runOrder), each answerable only by its group. */
  | { kind: 'approval'; name: string; target: TargetConfig; group?: { name: string; roles: string[] }; runOrder?: number }
  /** One step of a target's deploy kind; steps of one target run one after another. */
  | { kind: 'deploy'; name: string; target: TargetConfig; step: string; runOrder: number };

export interface PlannedStage {
  name: string;
  /** What the stage does, which decides what may happen when it fails. */
  role: 'source' | 'build' | 'approval' | 'deploy';
  actions: PlannedAction[];
}

/** Consecutive targets that deploy together; a target without a wave is a wave of its own. */
export interface Wave {
  name: string;
  targets: TargetConfig[];
}

/** The waves of the release, in order. Targets of one wave must be listed together (a configuration rule). */
export function planWaves(targets: readonly TargetConfig[]): Wave[] {
  const waves: Wave[] = [];
  for (const target of targets) {
    const last = waves.at(-1);
    if (target.wave !== undefined && last?.targets[0].wave === target.wave) {
      last.targets.push(target);
    } else {
      waves.push({ name: target.wave ?? target.name, targets: [target] });
    }
  }
  return waves;
}

/**
 * The pipeline's stages and actions, in release order: Source, Build, then
 * for each wave an approval stage (if any of its targets wants approval)
 * and a deploy stage whose targets deploy in parallel. Both the
 * configuration rules (CodePipeline limits) and the pipeline module read
 * this one plan, so what is validated is exactly what is synthesized.
 */
export function planStages(config: Pick<PipelineConfig, 'targets'>): PlannedStage[] {
  const stages: PlannedStage[] = [
    { name: 'Source', role: 'source', actions: [{ kind: 'source', name: 'Source' }] },
    { name: 'Build', role: 'build', actions: [{ kind: 'build', name: 'Build' }] },
  ];
  for (const wave of planWaves(config.targets)) {
    const approvals = wave.targets.filter((target) => target.approval !== false);
    if (approvals.length > 0) {
      stages.push({
        name: `Approve-${wave.name}`,
        role: 'approval',
        actions: approvals.flatMap((target) => approvalActions(target)),
      });
    }
    stages.push({ name: `Deploy-${wave.name}`, role: 'deploy', actions: wave.targets.flatMap(deployActions) });
  }
  return stages;
}

function approvalActions(target: TargetConfig): PlannedAction[] {
  const groups = typeof target.approval === 'object' ? (target.approval.approverGroups ?? []) : [];
  if (groups.length === 0) return [{ kind: 'approval', name: `Approve-${target.name}`, target }];
  return groups.map((group, i) => ({ kind: 'approval', name: `Approve-${target.name}-${group.name}`, target, group, runOrder: i + 1 }));
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
    const count = (role: PlannedStage['role']) => stages.filter((s) => s.role === role).length;
    problems.push(
      `the pipeline needs ${stages.length} stages (Source, Build, ${count('deploy')} deploy and ` +
        `${count('approval')} approval stages); CodePipeline allows ${CODEPIPELINE_LIMITS.stagesPerPipeline} stages ` +
        'per pipeline: group targets that may deploy together into waves',
    );
  }
  for (const stage of stages) {
    if (stage.actions.length > CODEPIPELINE_LIMITS.actionsPerStage) {
      problems.push(
        `stage ${stage.name} needs ${stage.actions.length} actions; CodePipeline allows ` +
          `${CODEPIPELINE_LIMITS.actionsPerStage} actions per stage: split the wave`,
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
