import type { SchemaOptions } from 'mongoose';

/**
 * Options every Chatter schema shares. Each one turns a silent mongoose default into a loud one:
 * a bug in how we build documents or filters fails instead of storing or matching the wrong thing.
 */
export const SCHEMA_OPTIONS = {
  // Documents are written with insert and atomic update operators, never read-modify-save, so
  // mongoose's `__v` version key would guard nothing.
  versionKey: false,
  // `id` would be a virtual copy of `_id`; our `_id`s already are the ids.
  id: false,
  // A field the schema does not know is a bug: throw rather than drop it silently.
  strict: 'throw',
  // An unknown path in a filter would be dropped by default, widening the query (a typo in
  // `room` would read every room). Throw instead.
  strictQuery: 'throw',
  // Indexes and collections are created on purpose when the store opens (see `mongo-store.ts`),
  // not as a side effect of compiling a model.
  autoIndex: false,
  autoCreate: false,
  // Fail at once when not connected, rather than queue commands for `bufferTimeoutMS`: an
  // acknowledgement must never wait on a connection that may not come back.
  bufferCommands: false,
} as const satisfies SchemaOptions;
