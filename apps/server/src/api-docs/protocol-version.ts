import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The version of `@chatter/protocol` the server runs with: both documents describe that
 * protocol, so it is their `info.version`.
 *
 * @example
 * PROTOCOL_VERSION; // '0.0.0'
 */
export const PROTOCOL_VERSION: string = (
  require('@chatter/protocol/package.json') as { version: string }
).version;
