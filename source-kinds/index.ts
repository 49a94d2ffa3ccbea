import type { SourceConfig, SourceKindName } from '../lib/config/schema';
import { codeCommitSource } from './codecommit';
import { connectionSource } from './connection';
import { s3Source } from './s3';
import type { SourceKind } from './source-kind';

export type { SourceBaseContext, SourceContext, SourceKind, SourcePipelineContext, SourcePipelineSide } from './source-kind';

/** Every source kind; the mapped type makes a kind without an implementation a compile error. */
const SOURCE_KINDS: { [K in SourceKindName]: SourceKind<K> } = {
  codecommit: codeCommitSource,
  connection: connectionSource,
  s3: s3Source,
};

/** The implementation of the configured source's kind. */
export function sourceKindOf(source: Pick<SourceConfig, 'kind'>): SourceKind<SourceKindName> {
  // Sound: SOURCE_KINDS maps each kind to the implementation of exactly that kind.
  return SOURCE_KINDS[source.kind] as unknown as SourceKind<SourceKindName>;
}
