import type { StateBackend } from '../lib/backend';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';

/** What every stack is built from: the validated configuration, its names, and the backend. */
export interface StackContext {
  config: PipelineConfig;
  naming: Naming;
  backend: StateBackend;
}
