import { z } from 'zod';
import { pipelineSchema, platformFileSchema, platformOnlyFileSchema } from './schema';

/** The JSON Schemas published in config/, for editor completion and validation, by file name. */
const SCHEMAS = {
  // One file: `platform:` and `pipelines:`.
  'schema.json': { schema: platformFileSchema, title: 'Delivery platform configuration (platform and pipelines)' },
  // A directory: platform.yaml...
  'platform.schema.json': { schema: platformOnlyFileSchema, title: 'Delivery platform: platform.yaml of a configuration directory' },
  // ...and pipelines/<name>.yaml.
  'pipeline.schema.json': { schema: pipelineSchema, title: 'Delivery platform: one pipeline (pipelines/<name>.yaml)' },
} as const;

export type SchemaFile = keyof typeof SCHEMAS;
export const SCHEMA_FILES = Object.keys(SCHEMAS) as SchemaFile[];

export function configJsonSchema(file: SchemaFile = 'schema.json'): Record<string, unknown> {
  const { schema, title } = SCHEMAS[file];
  return { ...z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }), title };
}

export function configJsonSchemaText(file: SchemaFile = 'schema.json'): string {
  return `${JSON.stringify(configJsonSchema(file), null, 2)}\n`;
}
