import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import * as protocol from './index.js';

// The schemas are zod/mini ones; API documents are generated from them with zod's JSON Schema
// output, so every one must convert, in both directions a document describes.
const schemas = Object.entries(protocol as Record<string, unknown>).filter(
  (entry): entry is [string, z.core.$ZodType] =>
    entry[0].endsWith('Schema') && entry[1] instanceof z.core.$ZodType,
);

describe('JSON Schema output', () => {
  it('finds the schemas', () => {
    expect(schemas.length).toBeGreaterThan(50);
  });

  it.each(schemas)('converts %s as input and as output', (_, schema) => {
    for (const io of ['input', 'output'] as const) {
      expect(z.toJSONSchema(schema, { io })).toHaveProperty(
        '$schema',
        'https://json-schema.org/draft/2020-12/schema',
      );
    }
  });

  it('keeps the limits the checks set', () => {
    expect(z.toJSONSchema(protocol.SeqCursorSchema)).toMatchObject({
      type: 'integer',
      minimum: 0,
    });
    expect(z.toJSONSchema(protocol.UserIdSchema)).toMatchObject({
      type: 'string',
      minLength: 1,
      maxLength: protocol.LIMITS.userIdMaxLength,
    });
  });
});
