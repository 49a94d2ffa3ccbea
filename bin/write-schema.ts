import { writeFileSync } from 'node:fs';
import { configJsonSchemaText } from '../lib/config/json-schema';

// Regenerates config/schema.json from the zod schema; a test fails when it is stale.
writeFileSync('config/schema.json', configJsonSchemaText());
console.log('wrote config/schema.json');
