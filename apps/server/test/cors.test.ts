import { describe, expect, it } from 'vitest';
import { connect, createSession, request, startTestServer } from './helpers.js';

// The web page's origin as a developer copies it from the address bar: with a trailing slash,
// which browsers never send in an Origin header.
const PAGE = 'http://localhost:5173';

describe('CORS for an app on another origin', () => {
  it('allows an origin configured with a trailing slash, on preflights, REST and the Socket.IO handshake', async () => {
    const { url } = await startTestServer({ env: { CORS_ORIGINS: `${PAGE}/` } });
    const { token } = await createSession(url);

    const preflight = await fetch(`${url}/api/messages`, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PAGE);

    const rooms = await request(url, '/api/rooms', { token, headers: { origin: PAGE } });
    expect(rooms.status).toBe(200);
    expect(rooms.headers.get('access-control-allow-origin')).toBe(PAGE);

    // Engine.IO's first long-polling request, as a browser page on PAGE sends it.
    const handshake = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: PAGE },
    });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(await handshake.text()).toMatch(/^0\{"sid":/);

    // And a whole Socket.IO connection over long-polling still comes up.
    const socket = await connect(url, token, { transports: ['polling'] });
    expect(socket.connected).toBe(true);
  });

  it('gives other origins no CORS headers', async () => {
    const { url } = await startTestServer({ env: { CORS_ORIGINS: `${PAGE}/` } });
    const other = 'http://localhost:5174';
    const preflight = await fetch(`${url}/api/messages`, {
      method: 'OPTIONS',
      headers: { origin: other, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const handshake = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: other },
    });
    expect(handshake.headers.get('access-control-allow-origin')).toBeNull();
  });
});
