import { LIMITS, type Presence, StatusResponseSchema, UserIdSchema } from '@chatter/protocol';
import { ChatterError, toChatterError, validateLocally } from './errors.js';
import { type FetchLike, restRequest } from './http.js';
import type { TokenSource } from './token-source.js';

export interface RestClientOptions {
  url: string;
  tokens: TokenSource;
  fetch: FetchLike | undefined;
  isClosed(): boolean;
}

/** The client's REST calls: with the current token, and once more with a fresh one if it is refused. */
export class RestClient {
  readonly #options: RestClientOptions;

  constructor(options: RestClientOptions) {
    this.#options = options;
  }

  async get<Output>(
    path: string,
    schema: Parameters<typeof restRequest<Output>>[0]['schema'],
    query: Record<string, string | number | undefined>,
    signal?: AbortSignal,
  ): Promise<Output> {
    const { url, tokens, fetch, isClosed } = this.#options;
    if (isClosed()) throw new ChatterError('CLOSED', 'The client is closed');
    const call = async () =>
      restRequest({
        baseUrl: url,
        path,
        schema,
        query,
        token: await tokens.current(),
        fetch,
        signal,
      });
    try {
      return await call();
    } catch (error) {
      if (!(toChatterError(error).code === 'UNAUTHORIZED' && tokens.invalidate())) throw error;
      return call();
    }
  }

  /** `GET /api/status`: of `userIds`, in as many requests as the server's limit per request takes. */
  async status(userIds?: readonly string[], signal?: AbortSignal): Promise<Presence[]> {
    if (userIds === undefined)
      return (await this.get('api/status', StatusResponseSchema, {}, signal)).users;
    const ids = [...new Set(userIds)];
    for (const id of ids) {
      validateLocally(UserIdSchema, id, 'user id');
      // The query lists ids separated by commas; such an id cannot be asked for.
      if (id.includes(','))
        throw new ChatterError('VALIDATION', `user id: "${id}" contains a comma`);
    }
    // The server answers at most LIMITS.statusQueryMaxUsers ids per request.
    const batches: string[][] = [];
    for (let start = 0; start < ids.length; start += LIMITS.statusQueryMaxUsers) {
      batches.push(ids.slice(start, start + LIMITS.statusQueryMaxUsers));
    }
    const answers = await Promise.all(
      batches.map((batch) =>
        this.get('api/status', StatusResponseSchema, { users: batch.join(',') }, signal),
      ),
    );
    return answers.flatMap((answer) => answer.users);
  }
}
