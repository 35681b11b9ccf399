import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress as resolver, trustProxy } from './client-address.js';

const clientAddress = (setting: boolean | number | string) => resolver(trustProxy(setting));

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress },
    connection: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless told to trust the proxy', () => {
    expect(clientAddress(false)(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('takes the address the trusted proxy saw', () => {
    const fromLoopback = clientAddress('loopback');
    expect(fromLoopback(request('127.0.0.1', '198.51.100.1'))).toBe('198.51.100.1');
    // A proxy we do not trust could have written anything.
    expect(fromLoopback(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
  });

  it('stops at the first untrusted hop, so a client cannot prepend addresses of its own', () => {
    const oneHop = clientAddress(1);
    expect(oneHop(request('10.0.0.2', '6.6.6.6, 198.51.100.1'))).toBe('198.51.100.1');
    expect(clientAddress('loopback, 10.0.0.0/8')(request('10.0.0.2', '6.6.6.6, 127.0.0.1'))).toBe(
      '6.6.6.6',
    );
  });

  it('trusts every hop when told to', () => {
    expect(clientAddress(true)(request('10.0.0.2', '6.6.6.6, 198.51.100.1'))).toBe('6.6.6.6');
  });
});
