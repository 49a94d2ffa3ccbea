import { readFileSync } from 'node:fs';
import { upgradeConfig } from '../lib/config/upgrade';

// Prints a single-pipeline configuration in the platform format: node dist/bin/upgrade-config.js <file> [platform name].
const [file, platform] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist/bin/upgrade-config.js <single-pipeline.yaml> [platform name]');
  process.exitCode = 2;
} else {
  process.stdout.write(upgradeConfig(readFileSync(file, 'utf8'), platform));
}
