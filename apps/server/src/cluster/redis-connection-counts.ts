import type { SharedConnectionCounts } from '../services/connection-limits.js';
import type { Logger } from '../utils/logger.js';
import { type RedisLink, RedisScript } from './redis-link.js';

/**
 * Each node files its connection counts under its own hash, `limits:connections:<node>`
 * (`u:<user>` and `a:<address>` → count), so a node that dies takes its counts with it: the
 * sweep that removes its presence deletes the hash. Admission sums the live nodes' hashes and
 * counts the new connection in one script, so two nodes cannot both take the last slot.
 */
const ADMIT = new RedisScript(`
local p, self, u, a = ARGV[1], ARGV[2], 'u:' .. ARGV[3], 'a:' .. ARGV[4]
local max_user, max_address = tonumber(ARGV[5]), tonumber(ARGV[6])
local by_user, by_address = 0, 0
local nodes = redis.call('ZRANGE', p .. 'presence:nodes', 0, -1)
-- This node counts before its first heartbeat too.
if not redis.call('ZSCORE', p .. 'presence:nodes', self) then nodes[#nodes + 1] = self end
for _, node in ipairs(nodes) do
  local key = p .. 'limits:connections:' .. node
  by_user = by_user + (tonumber(redis.call('HGET', key, u)) or 0)
  by_address = by_address + (tonumber(redis.call('HGET', key, a)) or 0)
end
if by_user >= max_user then return 'user' end
if by_address >= max_address then return 'address' end
local key = p .. 'limits:connections:' .. self
redis.call('HINCRBY', key, u, 1)
redis.call('HINCRBY', key, a, 1)
return 'admitted'
`);

const RELEASE = new RedisScript(`
local key = ARGV[1]
for i = 2, #ARGV do
  if redis.call('HINCRBY', key, ARGV[i], -1) <= 0 then redis.call('HDEL', key, ARGV[i]) end
end
return 1
`);

export class RedisConnectionCounts implements SharedConnectionCounts {
  readonly #link: RedisLink;
  readonly #logger: Logger;
  readonly #key: string;

  constructor(link: RedisLink, logger: Logger) {
    this.#link = link;
    this.#logger = logger;
    this.#key = link.key(`limits:connections:${link.nodeId}`);
  }

  async admit(
    userId: string,
    address: string,
    limits: { maxPerUser: number; maxPerAddress: number },
  ): Promise<'admitted' | 'user' | 'address'> {
    const verdict = await ADMIT.run(
      this.#link.commands,
      [],
      [
        this.#link.prefix,
        this.#link.nodeId,
        userId,
        address,
        String(limits.maxPerUser),
        String(limits.maxPerAddress),
      ],
    );
    return verdict as 'admitted' | 'user' | 'address';
  }

  release(userId: string, address: string): void {
    RELEASE.run(this.#link.commands, [], [this.#key, `u:${userId}`, `a:${address}`]).catch(
      (error: unknown) => {
        if (this.#link.up)
          this.#logger.warn({ err: error }, 'could not release a connection count');
      },
    );
  }

  /** Replaces this node's counts in Redis with `counts` (after Redis lost or missed them). */
  async writeBack(counts: {
    perUser: ReadonlyMap<string, number>;
    perAddress: ReadonlyMap<string, number>;
  }): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [user, count] of counts.perUser) fields[`u:${user}`] = String(count);
    for (const [address, count] of counts.perAddress) fields[`a:${address}`] = String(count);
    const transaction = this.#link.commands.multi().del(this.#key);
    if (Object.keys(fields).length > 0) transaction.hSet(this.#key, fields);
    await transaction.exec();
  }
}
