import { generatePlatform } from '../lib/config/generate';
import { isFoundationStack, POLICY_SIZE_LIMITS, type PolicySize, policySizes } from '../lib/verify/policy-sizes';
import { config, synthesize } from './support/synth';

// Two sizes of the same generated platform (same accounts, same targets): what the foundation writes must not depend
// on the number of pipelines. 200 pipelines are synthesized by `npm run bench` (docs/performance.md), not here.
const TARGETS = 3;
const small = config(generatePlatform(2, TARGETS));
const large = config(generatePlatform(5, TARGETS));

const bySize = (sizes: PolicySize[]) => Object.fromEntries(sizes.map((s) => [`${s.kind} ${s.what}`, s.size]));

describe('a generated platform of P pipelines × T targets', () => {
  it('is valid under the schema and rules up to 200 pipelines of 5 targets, with distinct names', () => {
    const platform = config(generatePlatform(200, 5));
    expect(platform.pipelines).toHaveLength(200);
    expect(new Set(platform.pipelines.map((p) => p.name)).size).toBe(200);
    expect(platform.pipelines.every((p) => p.targets.length === 5)).toBe(true);
    // Both deploy kinds, so that both kinds' grants are measured.
    expect(new Set(platform.pipelines.flatMap((p) => p.targets.map((t) => t.deploy.kind)))).toEqual(new Set(['s3', 'cloudformation']));
  });

  it('serves the same accounts whatever the number of pipelines', () => {
    expect(large.accounts).toEqual(small.accounts);
  });
});

describe('policy sizes as the platform grows', () => {
  const before = policySizes(synthesize(small));
  const after = policySizes(synthesize(large));

  it('no policy of the shared foundation changes size with the number of pipelines', () => {
    const foundation = (sizes: PolicySize[]) => bySize(sizes.filter((s) => isFoundationStack(s.stack)));
    expect(Object.keys(foundation(before)).length).toBeGreaterThan(10);
    // Key policies, bucket policies, the event bus and topic policies, roles and boundaries of platform and account-*.
    expect(new Set(before.filter((s) => isFoundationStack(s.stack)).map((s) => s.kind))).toEqual(
      new Set(Object.keys(POLICY_SIZE_LIMITS)),
    );
    expect(foundation(after)).toEqual(foundation(before));
  });

  it("no pipeline's own policies change size when other pipelines are added", () => {
    const first = (sizes: PolicySize[]) => bySize(sizes.filter((s) => s.stack.startsWith('p001-')));
    expect(Object.keys(first(before)).length).toBeGreaterThan(10);
    expect(first(after)).toEqual(first(before));
  });

  it('every policy is inside its AWS size limit', () => {
    const over = after.filter((s) => s.size > s.limit).map((s) => `${s.kind} ${s.what}: ${s.size} > ${s.limit}`);
    expect(over).toEqual([]);
  });

  it('the stacks added per pipeline are the same for every pipeline of the same kind', () => {
    const stacksOf = (name: string) =>
      Object.keys(synthesize(large).stacks)
        .filter((s) => s.startsWith(`${name}-`))
        .map((s) => s.slice(name.length + 1))
        .sort();
    expect(stacksOf('p003')).toEqual(stacksOf('p001'));
    expect(stacksOf('p001')).toEqual(['base', 'pipeline', 'repository', 'target-t1', 'target-t2', 'target-t3']);
  });
});
