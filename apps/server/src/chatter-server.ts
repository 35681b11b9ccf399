import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ClientToServerEvents, LIMITS, type ServerToClientEvents } from '@chatter/protocol';
import { createShardedAdapter } from '@socket.io/redis-adapter';
import type { Express } from 'express';
import { Server } from 'socket.io';
import { createApp } from './app.js';
import { AdapterSubscriber } from './cluster/adapter-subscriber.js';
import { HeadsAnnouncer } from './cluster/heads-announcer.js';
import { RedisConnectionCounts } from './cluster/redis-connection-counts.js';
import { RedisLink } from './cluster/redis-link.js';
import { RedisPresenceTracker } from './cluster/redis-presence.js';
import { redisRateLimiters } from './cluster/redis-rate-limiters.js';
import type { Config } from './config.js';
import { EVENT_LIMITS } from './event-limits.js';
import { createAccessPolicy } from './services/access-policy.js';
import { createAuthService } from './services/auth-service.js';
import { ChatService } from './services/chat-service.js';
import { ConnectionLimits } from './services/connection-limits.js';
import { EventBudgets } from './services/event-budget.js';
import { resolveJwtSecret } from './services/jwt-secret.js';
import { LastSeenRecorder } from './services/last-seen-recorder.js';
import { MessageChangeService } from './services/message-change-service.js';
import { createMetrics } from './services/metrics.js';
import { PresenceFanout } from './services/presence-fanout.js';
import { InMemoryPresenceTracker, type PresenceListener } from './services/presence-service.js';
import { ReadReceiptFanout } from './services/read-receipts.js';
import { ReadStateService } from './services/read-state-service.js';
import { RoomAdmission } from './services/room-admission.js';
import { SessionService } from './services/session-service.js';
import { StatusService } from './services/status-service.js';
import { TypingTracker } from './services/typing-service.js';
import { WriteGate } from './services/write-gate.js';
import { countMessageDeliveries } from './sockets/delivery-count.js';
import { registerSockets } from './sockets/index.js';
import { presenceDelivery } from './sockets/presence-delivery.js';
import {
  type ChatServer,
  chatRoomsOnThisNode,
  type InterServerEvents,
  type SocketData,
  userRoom,
} from './sockets/types.js';
import type { ChatStore, CommitObserver } from './store/chat-store.js';
import { openSqliteStore } from './store/sqlite-store.js';
import { answerClientError } from './utils/answer-client-error.js';
import { clientAddress, trustProxy } from './utils/client-address.js';
import type { Logger } from './utils/logger.js';
import { inMemoryRateLimiters } from './utils/rate-limit.js';

// Presence updates to a busy room go out together, at most one frame per member per window.
const PRESENCE_WINDOW_MS = 250;
// "Last seen" times are written in batches this often (and at shutdown).
const LAST_SEEN_WRITE_INTERVAL_MS = 1000;

export interface RunningServer {
  /** `http://host:port` the server is reachable at. */
  url: string;
  port: number;
  io: ChatServer;
  store: ChatStore;
  /** The Express app answering HTTP; tests compare its routes with `openapi.json`. */
  app: Express;
  /**
   * Graceful shutdown: refuse new work, let acknowledged writes finish, disconnect everyone,
   * close the store. Safe to call more than once.
   */
  close(): Promise<void>;
}

const openStore = async (
  config: Config,
  logger: Logger,
  onCommit: CommitObserver,
): Promise<ChatStore> => {
  if (!config.mongodbUri) {
    return openSqliteStore(config.dataDir, { busyTimeoutMs: config.sqliteBusyTimeoutMs, onCommit });
  }
  // Loaded only when asked for, so SQLite deployments never load mongoose. Never a fallback to
  // SQLite: a MongoDB that cannot be reached or used rejects here and stops the server.
  const { openMongoStore } = await import('./store/mongo-open.js');
  const store = await openMongoStore(
    {
      uri: config.mongodbUri,
      writeConcern: config.mongodbWriteConcern,
      writeTimeoutMs: config.mongodbWriteTimeoutMs,
    },
    logger,
    onCommit,
  );
  logger.info(
    { target: store.target, writeConcern: config.mongodbWriteConcern },
    `storing chat history in MongoDB at ${store.target}`,
  );
  return store;
};

const listen = (server: http.Server, port: number, host: string | undefined) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

const openRedisLink = async (url: string, prefix: string, logger: Logger): Promise<RedisLink> => {
  const link = new RedisLink(url, prefix, logger);
  await link.open();
  logger.info(
    { redis: link.target, prefix, node: link.nodeId },
    `joined the cluster on Redis at ${link.target} (prefix ${prefix})`,
  );
  return link;
};

export const startChatterServer = async (
  config: Config,
  logger: Logger,
): Promise<RunningServer> => {
  const auth = createAuthService({
    secret: resolveJwtSecret(config.jwtSecret, config.dataDir),
    sessionTtlSeconds: config.sessionTtlSeconds,
    maxTokenTtlSeconds: config.maxTokenTtlSeconds,
  });
  const link = config.redisUrl
    ? await openRedisLink(config.redisUrl, config.redisPrefix, logger)
    : undefined;
  const metrics = createMetrics({ nodeId: link?.nodeId ?? 'single' });
  if (link) {
    metrics.setRedisLinkUp(link.up);
    link.on('lost', () => metrics.setRedisLinkUp(false));
    link.on('restored', () => metrics.setRedisLinkUp(true));
  }
  const store = await openStore(config, logger, metrics.observeCommit).catch(
    async (error: unknown) => {
      await link?.close();
      throw error;
    },
  );
  const limiters = link ? redisRateLimiters(link) : inMemoryRateLimiters;

  const httpServer = http.createServer();
  httpServer.on('clientError', answerClientError);
  const io: ChatServer = new Server<
    ClientToServerEvents,
    ServerToClientEvents,
    InterServerEvents,
    SocketData
  >({
    maxHttpBufferSize: LIMITS.maxPayloadBytes,
    serveClient: false,
    ...(config.corsOrigins.length > 0 ? { cors: { origin: [...config.corsOrigins] } } : {}),
  });
  // Sharded Pub/Sub with a channel per room: a node hears only the rooms its sockets are in.
  const channelPrefix = link?.key('socket.io');
  const roomSubscriptions =
    link &&
    new AdapterSubscriber(link.adapterSubscriber, logger, (room) => `${channelPrefix}#/#${room}#`);
  if (roomSubscriptions) {
    io.adapter(
      createShardedAdapter(link.publisher, roomSubscriptions, {
        channelPrefix,
        subscriptionMode: 'dynamic',
      }),
    );
  }

  countMessageDeliveries(io, metrics);
  metrics.watchConnections(() => io.of('/').sockets.size);
  metrics.watchRooms(() => chatRoomsOnThisNode(io).length);
  const policy = createAccessPolicy({ guestRooms: config.guestRooms });
  // Sends, edits, deletions and reactions share one per-user budget and one shutdown drain.
  const writes = new WriteGate({ messagesPerMinute: config.messagesPerMinute, limiters });
  // Everyone in the room but the connection the write came over, which has it in its ack.
  const toRoom = (room: string, exceptConnection: string | undefined) =>
    exceptConnection === undefined ? io.to(room) : io.to(room).except(exceptConnection);
  const receipts = new ReadReceiptFanout(LIMITS.readReceiptsIntervalMs, (room, reads) => {
    io.to(room).emit('receipts', { room, reads });
  });
  const readState = new ReadStateService({
    store,
    policy,
    writes,
    announceRead: (userId, state) => {
      io.to(userRoom(userId)).emit('read', state);
    },
    publishReceipt: (room, receipt) => receipts.publish(room, receipt),
  });
  const chat = new ChatService({
    store,
    policy,
    admission: new RoomAdmission({
      maxRoomsPerConnection: config.maxRoomsPerConnection,
      roomsPerMinute: config.roomsPerMinute,
      limiters,
    }),
    writes,
    readState,
    broadcast: (message, exceptConnection) => {
      toRoom(message.room, exceptConnection).emit('message', message);
      metrics.messageStored();
    },
  });
  const changes = new MessageChangeService({
    store,
    policy,
    writes,
    broadcastChange: (change, exceptConnection) => {
      toRoom(change.room, exceptConnection).emit('change', change);
    },
  });
  const lastSeen = new LastSeenRecorder({ store, logger, intervalMs: LAST_SEEN_WRITE_INTERVAL_MS });
  const presenceFanout = new PresenceFanout(PRESENCE_WINDOW_MS, presenceDelivery(io));
  const presenceListener: PresenceListener = {
    onChange: (update, rooms) => presenceFanout.publish(update, rooms),
    onSeen: (user, at) => lastSeen.record(user, at),
  };
  const presence = link
    ? new RedisPresenceTracker({
        link,
        graceMs: config.presenceGraceMs,
        listener: presenceListener,
        awayIntervalMs: EVENT_LIMITS.awayAnnounceIntervalMs,
        logger,
      })
    : new InMemoryPresenceTracker(
        config.presenceGraceMs,
        presenceListener,
        EVENT_LIMITS.awayAnnounceIntervalMs,
      );
  const status = new StatusService({ presence, lastSeen, store, policy });
  const sessions = new SessionService({
    auth,
    guestsEnabled: config.guestsEnabled,
    sessionsPerMinute: config.sessionsPerMinute,
    limiters,
  });
  const trust = trustProxy(config.trustProxy);
  const sharedConnectionCounts = link && new RedisConnectionCounts(link, logger);
  const connectionLimits = new ConnectionLimits(
    { maxPerUser: config.maxConnectionsPerUser, maxPerAddress: config.maxConnectionsPerAddress },
    sharedConnectionCounts,
  );
  const heads = link && new HeadsAnnouncer({ io, store, link, logger });
  link?.on('rejoined', () => {
    sharedConnectionCounts
      ?.writeBack(connectionLimits.counts())
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'could not write connection counts back to Redis'),
      );
  });
  const typing = new TypingTracker(
    {
      timeoutMs: config.typingTimeoutMs,
      relayIntervalMs: EVENT_LIMITS.typingRelayIntervalMs,
      repeatMs: LIMITS.typingRepeatMs,
    },
    (event) => {
      io.to(event.room).except(userRoom(event.user.id)).emit('typing', event);
    },
  );
  const budgets = new EventBudgets({
    eventsPerSecond: config.eventsPerSecond,
    readBytesPerSecond: config.readBytesPerSecond,
    refusalsBeforeDisconnect: config.refusalsBeforeDisconnect,
  });

  let shuttingDown = false;
  const isShuttingDown = () => shuttingDown;
  const app = createApp({
    auth,
    chat,
    changes,
    readState,
    sessions,
    status,
    store,
    logger,
    trustProxy: trust,
    corsOrigins: config.corsOrigins,
    isShuttingDown,
    webDir: config.webDir,
    redis: link,
    metrics,
  });
  httpServer.on('request', app);
  // Socket.IO after Express: it takes `/socket.io/` requests away from the listeners already
  // attached. The other way round, Express answers 404 to long-polling requests that Socket.IO
  // answers too, and the second answer crashes the process.
  io.attach(httpServer);
  const sockets = registerSockets(io, {
    auth,
    chat,
    changes,
    readState,
    presence,
    typing,
    budgets,
    logger,
    isShuttingDown,
    policy,
    metrics,
    ...(roomSubscriptions
      ? { roomSubscribed: (room: string) => roomSubscriptions.subscribed(room) }
      : {}),
    connectionLimits,
    clientAddress: clientAddress(trust),
    maxBufferedBytes: config.maxBufferedBytes,
  });

  try {
    if (presence instanceof RedisPresenceTracker) await presence.start();
    await heads?.start();
    await listen(httpServer, config.port, config.host);
  } catch (error) {
    heads?.close();
    receipts.close();
    await presence.close();
    await link?.close();
    await store.close();
    metrics.close();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${config.host && config.host !== '0.0.0.0' ? config.host : 'localhost'}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      shuttingDown = true;
      httpServer.close();
      await writes.drain();
      receipts.close();
      heads?.close();
      await presence.close();
      presenceFanout.close();
      typing.close();
      sockets.close();
      await io.close();
      httpServer.closeAllConnections();
      await link?.close();
      await lastSeen.close();
      await store.close();
      metrics.close();
    })();
    return closing;
  };

  return { url, port, io, store, app, close };
};
