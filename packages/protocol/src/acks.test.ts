import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AwayAckSchema,
  type ClientEventName,
  clientEventAckSchemas,
  HistoryAckSchema,
  JoinAckSchema,
  LeaveAckSchema,
  type Message,
  SendMessageAckSchema,
} from './index.js';

const message: Message = {
  id: 'm1',
  room: 'general',
  seq: 1,
  text: 'hello',
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
};

type AckedEvent = keyof typeof clientEventAckSchemas;

/** One successful acknowledgement per event that has one. */
const successes = {
  join: { ok: true, room: 'general', epoch: 'e1', head: 1, messages: [message], hasMore: false },
  leave: { ok: true, room: 'general' },
  message: { ok: true, message },
  history: { ok: true, messages: [message], hasMore: true },
  away: { ok: true, status: 'away' },
} satisfies {
  [E in AckedEvent]: Extract<z.output<(typeof clientEventAckSchemas)[E]>, { ok: true }>;
};

const ackedEvents = Object.keys(clientEventAckSchemas) as AckedEvent[];

// Widened so one loop can parse with every event's schema.
const ackSchemaOf = (event: AckedEvent): z.ZodType => clientEventAckSchemas[event];

describe('clientEventAckSchemas', () => {
  it('covers every event except typing, which has no acknowledgement', () => {
    const expected: ClientEventName[] = ['join', 'leave', 'message', 'history', 'away'];
    expect([...ackedEvents].sort()).toEqual([...expected].sort());
  });

  it('uses the named ack schemas', () => {
    expect(clientEventAckSchemas).toEqual({
      join: JoinAckSchema,
      leave: LeaveAckSchema,
      message: SendMessageAckSchema,
      history: HistoryAckSchema,
      away: AwayAckSchema,
    });
  });

  describe.each(ackedEvents)('%s acknowledgement', (event) => {
    const schema = ackSchemaOf(event);
    const success = successes[event];

    it('accepts { ok: true, ... }', () => {
      expect(schema.parse(success)).toEqual(success);
    });

    it('accepts { ok: false, error } with a VALIDATION error', () => {
      const failure = { ok: false, error: { code: 'VALIDATION', message: 'room is invalid' } };
      expect(schema.parse(failure)).toEqual(failure);
    });

    it('accepts an error with details', () => {
      const failure = {
        ok: false,
        error: {
          code: 'VALIDATION',
          message: 'Invalid payload',
          details: [{ path: ['room'], message: 'Invalid room' }],
        },
      };
      expect(schema.parse(failure)).toEqual(failure);
    });

    it('rejects an unknown error code', () => {
      const result = schema.safeParse({ ok: false, error: { code: 'NOPE', message: 'x' } });
      expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(['error', 'code']);
    });

    it('rejects a failure without an error', () => {
      expect(schema.safeParse({ ok: false }).success).toBe(false);
    });

    it('rejects a success missing its fields', () => {
      expect(schema.safeParse({ ok: true }).success).toBe(false);
    });

    it('rejects ok given as a string', () => {
      expect(schema.safeParse({ ...success, ok: 'true' }).success).toBe(false);
    });
  });
});
