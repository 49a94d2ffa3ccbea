import type { PipelineConfig } from '../config/schema';
import type { Naming } from '../naming';
import { deployAccess, KMS_UPLOAD } from './deploy-access';
import { type AccessPath, type Actor, artifactStores, type Inventory, type Request } from './paths';

/** One pipeline of the platform with the requests it needs (its required paths). */
export interface PipelineProof {
  config: PipelineConfig;
  naming: Naming;
  required: AccessPath[];
}

/**
 * The roles a pipeline's stacks create for it: every role its required paths
 * act as or assume, less the roles of the platform that every pipeline uses
 * (the trail's CloudWatch Logs role, the Terraform Cloud run roles).
 */
export function pipelineRoles(own: PipelineProof, all: PipelineProof[], inventory: Inventory): string[] {
  const created = new Set(inventory.roles.map((r) => r.arn));
  const rolesOf = (proof: PipelineProof) =>
    new Set(
      proof.required.flatMap((p) => [
        ...(p.actor.kind === 'role' ? [p.actor.arn] : []),
        ...(p.action === 'sts:AssumeRole' ? [p.resource] : []),
      ]).filter((arn) => created.has(arn)),
    );
  const others = new Set(all.filter((p) => p !== own).flatMap((p) => [...rolesOf(p)]));
  return [...rolesOf(own)].filter((arn) => !others.has(arn)).sort();
}

function sameRequest(a: Request, b: Request): boolean {
  return (
    a.action === b.action && a.resource === b.resource && JSON.stringify(a.context ?? {}) === JSON.stringify(b.context ?? {})
  );
}

/**
 * Pipelines stay apart: no role of pipeline A (pipeline, build, source and
 * forwarder, starter, deploy, CloudFormation execution, CodeDeploy), with its
 * own policies and boundary, may read or write B's artifacts in any of B's
 * stores, use the artifact key outside S3 (so it decrypts only what S3 lets it
 * read), assume any of B's roles, start B's pipeline, or do what B's deploy
 * roles do to B's targets. A request A needs itself (two pipelines deploying
 * the same way into one account) is not B's to keep.
 */
export function crossPipelinePaths(a: PipelineProof, b: PipelineProof, all: PipelineProof[], inventory: Inventory): AccessPath[] {
  const actors = pipelineRoles(a, all, inventory);
  const bRoles = pipelineRoles(b, all, inventory);
  const A = a.config.name;
  const B = b.config.name;
  const requests: Array<{ claim: string; request: Request }> = [];
  for (const store of artifactStores(b.config, b.naming)) {
    const where = store.region === b.config.pipeline.account.region ? '' : ` in ${store.region}`;
    requests.push(
      { claim: `cannot read ${B}'s artifacts${where}`, request: { action: 's3:GetObject', resource: store.object } },
      {
        claim: `cannot write ${B}'s artifacts${where}`,
        request: { action: 's3:PutObject', resource: store.object, context: KMS_UPLOAD },
      },
      { claim: `cannot delete ${B}'s artifacts${where}`, request: { action: 's3:DeleteObject', resource: store.object } },
      {
        // The shared key admits the platform's roles only through S3 (kms:ViaService): decrypting B's artifacts takes
        // an S3 read of B's objects, refused above.
        claim: `cannot decrypt ${B}'s artifacts${where} outside an S3 read`,
        request: { action: 'kms:Decrypt', resource: store.key, absent: ['kms:ViaService'] },
      },
    );
  }
  for (const arn of bRoles) {
    requests.push({ claim: `cannot assume ${B}'s role ${arn.split('/').pop()}`, request: { action: 'sts:AssumeRole', resource: arn } });
  }
  requests.push({
    claim: `cannot start ${B}'s pipeline`,
    request: { action: 'codepipeline:StartPipelineExecution', resource: b.naming.pipelineArn },
  });
  for (const target of b.config.targets) {
    const access = deployAccess(target, b.naming);
    for (const { purpose, ...request } of access.requests) {
      requests.push({ claim: `cannot change ${B}'s target ${target.name}: ${purpose}`, request });
    }
  }
  const needsItself = (request: Request) => a.required.some((p) => sameRequest(p, request));
  const paths: AccessPath[] = [];
  for (const arn of actors) {
    const actor: Actor = { kind: 'role', arn };
    for (const { claim, request } of requests) {
      if (needsItself(request)) continue;
      paths.push({ claim: `pipeline ${A} ${claim}`, actor, ...request, expect: 'Denied' });
    }
  }
  return paths;
}
