import type { TerraformStack } from 'cdktf';

export interface ApplyOrder {
  /** Stacks in an order that applies cleanly, one after another. */
  order: string[];
  /** The same order in waves: stacks of one wave do not depend on each other and may apply in parallel. */
  waves: string[][];
  /** Each stack's direct dependencies. */
  dependsOn: Record<string, string[]>;
}

/**
 * The apply order of stacks from their declared dependencies (Kahn's
 * algorithm, waves sorted by name so the result is deterministic).
 * Throws on a cycle, naming the stacks in it.
 */
export function applyOrder(stacks: TerraformStack[]): ApplyOrder {
  const dependsOn: Record<string, string[]> = {};
  for (const stack of stacks) {
    dependsOn[stack.node.id] = [...new Set(stack.dependencies.map((d) => d.node.id))].sort();
  }
  const waves: string[][] = [];
  const done = new Set<string>();
  let remaining = Object.keys(dependsOn);
  while (remaining.length > 0) {
    const ready = remaining.filter((name) => dependsOn[name].every((d) => done.has(d))).sort();
    if (ready.length === 0) {
      throw new Error(`stack dependencies form a cycle among: ${remaining.sort().join(', ')}`);
    }
    waves.push(ready);
    ready.forEach((name) => done.add(name));
    remaining = remaining.filter((name) => !done.has(name));
  }
  return { order: waves.flat(), waves, dependsOn };
}

export interface DestroyOrder {
  /** Stacks in an order that destroys cleanly, one after another: the apply order reversed. */
  order: string[];
  /** The apply waves reversed: stacks of one wave are not depended on by each other and may be destroyed in parallel. */
  waves: string[][];
  /** Each stack's direct dependents: the stacks to destroy before it. */
  dependedOnBy: Record<string, string[]>;
}

/**
 * The destroy order: the apply waves in reverse. A stack of wave k depends
 * only on stacks of earlier waves, so reversed, every stack is destroyed
 * before the stacks whose outputs it reads and whose roles and keys it uses.
 */
export function destroyOrder(apply: ApplyOrder): DestroyOrder {
  const dependedOnBy: Record<string, string[]> = {};
  for (const name of Object.keys(apply.dependsOn).sort()) {
    dependedOnBy[name] = Object.keys(apply.dependsOn)
      .filter((other) => apply.dependsOn[other].includes(name))
      .sort();
  }
  const waves = [...apply.waves].reverse().map((wave) => [...wave]);
  return { order: waves.flat(), waves, dependedOnBy };
}
