import type { Construct } from 'constructs';
import type { StateBackend } from '../lib/backend';
import type { PlatformConfig } from '../lib/config/schema';
import type { PlatformNaming } from '../lib/naming';
import { deployKeyOutput } from '../deploy-kinds/s3';
import { CustomerManagedKey } from '../modules/customer-managed-key';
import { LogBucket } from '../modules/log-bucket';
import { AccountStack } from './account-stack';

/** `deploy_key_arn_<region>` for every served region. */
export type AccountFoundationOutput = string;

export interface AccountFoundationStackProps {
  platform: PlatformConfig;
  naming: PlatformNaming;
  backend: StateBackend;
  /** The served account, by its name in platform.accounts. */
  account: PlatformConfig['accounts'][number];
}

/**
 * What a served account shares among the pipelines that deploy S3 releases
 * into it, in every served region: the key of the deploy buckets and the log
 * bucket their access logs go to. Both grant by role and bucket name pattern
 * (`<platform>-*`), so a new pipeline's targets in this account change
 * nothing here; each deploy role may use the key only for its own bucket
 * (its identity policy names the bucket's encryption context).
 */
export class AccountFoundationStack extends AccountStack<AccountFoundationOutput> {
  readonly accountName: string;

  constructor(scope: Construct, { platform, naming, backend, account }: AccountFoundationStackProps) {
    const home = { id: account.id, role: account.role, region: platform.tooling.region, name: account.name };
    super(scope, {
      stackName: naming.accountStack(account.name),
      platform: platform.name,
      account: home,
      providerAlias: account.name,
      backend,
      guardrails: platform.guardrails,
    });
    this.accountName = account.name;
    const { accessLogs } = platform.monitoring;
    for (const region of platform.regions) {
      const suffix = region === home.region ? '' : `_${region.replace(/-/g, '_')}`;
      const provider = this.providerFor(region);
      const key = new CustomerManagedKey(this, `deploy_key${suffix}`, {
        provider,
        alias: naming.deployKeyAlias,
        description: `Encrypts the S3 releases of platform ${naming.name} in ${region}`,
        ownerAccountId: account.id,
        users: [
          {
            sid: 'PlatformRolesUseKey',
            accountIds: [account.id],
            roleArnPatterns: [naming.rolePattern(account.id)],
            viaServices: [`s3.${region}.amazonaws.com`],
            access: 'encrypt-decrypt',
          },
        ],
        protect: platform.protectStatefulResources,
      });
      this.publish(deployKeyOutput(region), key.arn, `Key of the S3 deploy buckets in ${region}`);
      if (accessLogs.enabled) {
        new LogBucket(this, `access_logs${suffix}`, {
          provider,
          bucketName: naming.accountAccessLogBucket(account.id, region),
          accountId: account.id,
          sourceBucketNames: [`${naming.name}-*`],
          retentionDays: accessLogs.retentionDays,
          protect: platform.protectStatefulResources,
        });
      }
    }
  }
}
