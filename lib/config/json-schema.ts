import { z } from 'zod';
import { configSchema } from './schema';

/** The JSON Schema published as config/schema.json, for editor completion and validation. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'Cross-account CodePipeline configuration',
  };
}

export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
