import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** A configuration the project ships, and what to set PIPELINE_CONFIG to for it. */
export interface ShippedExample {
  /** A relative path that names it, usable as a directory: `example`, `examples/fan-out`. */
  name: string;
  /** What PIPELINE_CONFIG is set to: the YAML file, or a directory's `platform.yaml`. */
  config: string;
}

const PLATFORM_FILE = 'platform.yaml';

/**
 * Every example the project ships: `config/example.yaml`, each
 * `config/examples/*.yaml`, and each `config/examples/<dir>/` that holds a
 * `platform.yaml` (a platform split over several files). Sorted by name, so
 * every run lists them in the same order.
 */
export function shippedExamples(root = '.'): ShippedExample[] {
  const examples: ShippedExample[] = [{ name: 'example', config: path.join('config', 'example.yaml') }];
  const dir = path.join('config', 'examples');
  const entries = existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)) : [];
  for (const entry of entries) {
    const relative = path.join(dir, entry);
    if (statSync(path.join(root, relative)).isDirectory()) {
      if (existsSync(path.join(root, relative, PLATFORM_FILE))) examples.push({ name: `examples/${entry}`, config: path.join(relative, PLATFORM_FILE) });
    } else if (/\.ya?ml$/.test(entry)) {
      examples.push({ name: `examples/${entry.replace(/\.ya?ml$/, '')}`, config: relative });
    }
  }
  return examples.sort((a, b) => a.name.localeCompare(b.name));
}
