import * as protocol from '@chatter/protocol';
import { z } from 'zod';

/** A JSON Schema, as zod writes it and the documents carry it. */
export type JsonSchema = Record<string, unknown>;

/** Which side of a schema a document shows: what a sender may send, or what a receiver gets. */
export type Direction = 'input' | 'output';

/** The JSON Schema dialects the documents use: OpenAPI 3.1 takes 2020-12, AsyncAPI 3 draft 7. */
export type JsonSchemaTarget = 'draft-2020-12' | 'draft-07';

/**
 * Descriptions for components, kept here rather than as `.meta()` in the protocol so the
 * protocol's schemas stay as they are. Keyed by component name.
 */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  ErrorPayload:
    'The one error shape, in REST bodies as `{ error }` and acknowledgements as `{ ok: false, error }`.',
  ErrorResponse: 'Every refused request answers this body, with the HTTP status of its code.',
  Message: 'A message in its latest state; a deleted one is a tombstone (`text: ""`, `deletedAt`).',
  MessageChange: 'One entry of a room log: an edit, a deletion or a reaction added or removed.',
  Presence: 'A user and their status (`online`, `away` or `offline`).',
};

/**
 * Every schema `@chatter/protocol` exports, named after its export without the `Schema` suffix
 * (`MessageSchema` is the component `Message`). Read from the module itself, so a schema the
 * protocol adds is named without a change here.
 *
 * @example
 * protocolSchemaNames().get(MessageSchema); // 'Message'
 */
export const protocolSchemaNames = (): Map<z.core.$ZodType, string> => {
  const names = new Map<z.core.$ZodType, string>();
  for (const [exportName, value] of Object.entries(protocol)) {
    if (!(value instanceof z.core.$ZodType) || !exportName.endsWith('Schema')) continue;
    // A schema exported under two names keeps the first, in the module's (alphabetical) order.
    if (!names.has(value)) names.set(value, exportName.slice(0, -'Schema'.length));
  }
  return names;
};

/** The names of the components `root` refers to, directly or through other components. */
const referencedNames = (root: unknown, schemas: Record<string, JsonSchema>, refPrefix: string) => {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(refPrefix)) {
          const name = value.slice(refPrefix.length);
          if (!found.has(name)) {
            found.add(name);
            visit(schemas[name]);
          }
        } else visit(value);
      }
    }
  };
  visit(root);
  return found;
};

type RegistryMeta = { id: string; description?: string };

const convertAll = (
  registry: z.core.$ZodRegistry<RegistryMeta>,
  io: Direction,
  target: JsonSchemaTarget,
  uri: (id: string) => string,
): Record<string, JsonSchema> => {
  const { schemas } = z.toJSONSchema(registry, {
    io,
    target,
    uri,
    // Transforms have no JSON form on their output side; that side of a request is never sent.
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      // zod marks every object closed on its output side, since parsing strips unknown keys. A
      // client that validated answers that way would break on the next added field: only the
      // strict objects (which refuse unknown keys on input) stay closed.
      if (io !== 'output' || zodSchema._zod.def.type !== 'object') return;
      const catchall = (zodSchema._zod.def as { catchall?: z.core.$ZodType }).catchall;
      if (catchall?._zod.def.type !== 'never') delete jsonSchema.additionalProperties;
    },
  });
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    if (id === '__shared') throw new Error('a schema without a name is shared; name it');
    // `$id` with a fragment is not valid JSON Schema, and the dialect is the document's.
    const { $id: _id, $schema: _schema, ...rest } = schema as JsonSchema;
    components[id] = rest;
  }
  return components;
};

/** JSON Schema components for a set of named zod schemas, with references between them. */
export interface SchemaComponents {
  /** The components, by name, each referring to the others by `$ref`. */
  schemas: Record<string, JsonSchema>;
  /** A `$ref` to `schema`'s component on the given side. */
  ref(schema: z.core.$ZodType, direction: Direction): JsonSchema;
  /** The component `schema` stands for on the given side, as a JSON Schema. */
  resolve(schema: z.core.$ZodType, direction: Direction): JsonSchema;
}

/**
 * Converts named zod schemas (the protocol's, plus `extra` the caller names) to components with
 * `z.toJSONSchema`. Both sides of each schema are converted; where they differ (a query string
 * whose `limit` is a string on the way in and a number once parsed), the input side is its own
 * component named `…Input`, so a request refers to what is sent and an answer to what arrives.
 *
 * @example
 * const components = buildSchemaComponents({ target: 'draft-2020-12', refPrefix: '#/components/schemas/' });
 * components.ref(MessageSchema, 'output'); // { $ref: '#/components/schemas/Message' }
 */
export const buildSchemaComponents = ({
  target,
  refPrefix,
  extra = [],
}: {
  target: JsonSchemaTarget;
  refPrefix: string;
  extra?: ReadonlyArray<readonly [name: string, schema: z.core.$ZodType]>;
}): SchemaComponents => {
  const names = protocolSchemaNames();
  for (const [name, schema] of extra) if (!names.has(schema)) names.set(schema, name);
  const registry = z.registry<RegistryMeta>();
  for (const [schema, id] of names) {
    const description = DESCRIPTIONS[id];
    registry.add(schema, description === undefined ? { id } : { id, description });
  }

  // First pass: which components read differently on their two sides.
  const plain = (id: string) => `${refPrefix}${id}`;
  const firstIn = convertAll(registry, 'input', target, plain);
  const firstOut = convertAll(registry, 'output', target, plain);
  const differ = new Set(
    Object.keys(firstIn).filter(
      (id) => JSON.stringify(firstIn[id]) !== JSON.stringify(firstOut[id]),
    ),
  );
  // A component that refers to a two-sided one is two-sided too: its input refers to `…Input`.
  const twoSided = new Set(
    Object.keys(firstIn).filter(
      (id) =>
        differ.has(id) ||
        [...referencedNames(firstIn[id], firstIn, refPrefix)].some((name) => differ.has(name)),
    ),
  );
  const nameOn = (id: string, direction: Direction) =>
    direction === 'input' && twoSided.has(id) ? `${id}Input` : id;

  const input = convertAll(registry, 'input', target, (id) => plain(nameOn(id, 'input')));
  const schemas: Record<string, JsonSchema> = { ...firstOut };
  for (const id of twoSided) schemas[nameOn(id, 'input')] = input[id] as JsonSchema;

  const nameOf = (schema: z.core.$ZodType, direction: Direction): string => {
    const id = names.get(schema);
    if (id === undefined) throw new Error('the schema has no name; pass it in `extra`');
    return nameOn(id, direction);
  };
  return {
    schemas,
    ref: (schema, direction) => ({ $ref: plain(nameOf(schema, direction)) }),
    resolve: (schema, direction) => schemas[nameOf(schema, direction)] as JsonSchema,
  };
};

/**
 * The components `document` (without its schemas) refers to, and only those, sorted by name:
 * the protocol exports more than a document needs (token claims, acknowledgement parts).
 *
 * @example
 * const used = usedComponents(paths, components.schemas, '#/components/schemas/');
 */
export const usedComponents = (
  document: unknown,
  schemas: Record<string, JsonSchema>,
  refPrefix: string,
): Record<string, JsonSchema> => {
  const used = referencedNames(document, schemas, refPrefix);
  const missing = [...used].filter((name) => !(name in schemas));
  if (missing.length > 0) throw new Error(`no component for ${missing.join(', ')}`);
  return Object.fromEntries(
    [...used].sort().map((name) => [name, schemas[name] as JsonSchema] as const),
  );
};
