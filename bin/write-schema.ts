import { writeFileSync } from 'node:fs';
import { configJsonSchemaText, SCHEMA_FILES } from '../lib/config/json-schema';

// Regenerates config/*schema.json from the zod schema; a test fails when one is stale.
for (const file of SCHEMA_FILES) {
  writeFileSync(`config/${file}`, configJsonSchemaText(file));
  console.log(`wrote config/${file}`);
}
