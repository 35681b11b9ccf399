import {
  type CreateSessionResponse,
  CreateSessionResponseSchema,
  ErrorResponseSchema,
} from '@chatter/protocol';
import type * as z from 'zod/mini';
import { ChatterError } from './errors.js';
import type { AbortSignalLike, FetchRequestInit, FetchResponseLike } from './platform-types.js';

/**
 * The `fetch` the SDK calls for REST requests; pass your own to add headers, retries or a
 * polyfill.
 *
 * @example
 * ```ts
 * const tracedFetch: FetchLike = (input, init) => {
 *   console.debug('chatter', init?.method ?? 'GET', input);
 *   return fetch(input, init);
 * };
 * createChatterClient({ url, token, fetch: tracedFetch });
 * ```
 */
export type FetchLike = (input: string, init?: FetchRequestInit) => Promise<FetchResponseLike>;

export interface RestRequest<Output> {
  baseUrl: string;
  path: string;
  schema: z.ZodMiniType<Output>;
  method?: 'GET' | 'POST';
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  token?: string | undefined;
  fetch?: FetchLike | undefined;
  signal?: AbortSignalLike | undefined;
}

const buildUrl = (baseUrl: string, path: string, query: RestRequest<unknown>['query']) => {
  const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
};

const readJson = async (response: FetchResponseLike): Promise<unknown> => {
  const text = await response.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ChatterError('BAD_RESPONSE', `The server answered ${response.status} with non-JSON`, {
      status: response.status,
      cause,
    });
  }
};

/** One REST call: JSON in, JSON out, validated against the protocol; errors as `ChatterError`. */
export const restRequest = async <Output>(request: RestRequest<Output>): Promise<Output> => {
  const doFetch = request.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (request.token) headers.authorization = `Bearer ${request.token}`;

  let response: FetchResponseLike;
  try {
    response = await doFetch(buildUrl(request.baseUrl, request.path, request.query), {
      method: request.method ?? 'GET',
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (cause) {
    throw new ChatterError('NETWORK', `Could not reach ${request.baseUrl}`, { cause });
  }

  const body = await readJson(response);
  if (!response.ok) {
    const error = ErrorResponseSchema.safeParse(body);
    if (error.success) throw ChatterError.fromPayload(error.data.error, response.status);
    throw new ChatterError('BAD_RESPONSE', `The server answered ${response.status}`, {
      status: response.status,
      details: body,
    });
  }
  const parsed = request.schema.safeParse(body);
  if (!parsed.success) {
    throw new ChatterError('BAD_RESPONSE', `Unexpected answer from ${request.path}`, {
      status: response.status,
      details: parsed.error.issues,
    });
  }
  return parsed.data;
};

/**
 * Options of {@link createGuestSession}.
 *
 * @example
 * ```ts
 * await createGuestSession(url, 'Ada', { fetch: myFetch, signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface GuestSessionOptions {
  fetch?: FetchLike;
  signal?: AbortSignalLike;
}

/**
 * Starts a guest session (`POST /api/session`): the server picks a user id for `name` and
 * returns a token for {@link createChatterClient}. Servers can turn guest sessions off; apps
 * with their own users mint tokens on their backend instead.
 *
 * @example
 * ```ts
 * const { token, user, expiresAt } = await createGuestSession('http://localhost:3000', 'Ada');
 * const chat = createChatterClient({ url: 'http://localhost:3000', token });
 * ```
 */
export const createGuestSession = (
  url: string,
  name: string,
  options: GuestSessionOptions = {},
): Promise<CreateSessionResponse> =>
  restRequest({
    baseUrl: url,
    path: 'api/session',
    method: 'POST',
    body: { name },
    schema: CreateSessionResponseSchema,
    fetch: options.fetch,
    signal: options.signal,
  });
