import type { StateBackend } from '../lib/backend';
import type { PipelineConfig } from '../lib/config/schema';
import type { Naming } from '../lib/naming';

/** What every stack is built from: the validated configuration, its names, and the backend. */
export interface StackContext {
  config: PipelineConfig;
  naming: Naming;
  backend: StateBackend;
}

/** `prod-eu` → `ProdEu`: statement ids allow only letters and digits. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
