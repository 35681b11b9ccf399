/** Malformed input: lone surrogates, tokens at the edges, compressed garbage. */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { connectSocket, SECRET, signToken } from '../../bench/lib/clients.js';
import { type AbuseCase, verdict } from '../lib/case.js';
import { handshake } from '../lib/handshake.js';
import { ackCode, request } from '../lib/http.js';

const healthy = async (url: string) => (await request(url, '/healthz')).status === 200;

export const loneSurrogates: AbuseCase = {
  name: 'surrogates',
  title: 'lone surrogates in message text (socket and REST), display names and token names',
  env: { CHATTER_GUESTS: 'true' },
  async run({ url }) {
    const token = await signToken('writer');
    const lone = 'half \uD800 a pair';
    const socket = await connectSocket(url, token);
    await socket.timeout(5000).emitWithAck('join', { room: 'plain' });
    const overSocket = ackCode(
      await socket.timeout(5000).emitWithAck('message', { room: 'plain', text: lone }),
    );
    socket.close();
    const overRest = await request(url, '/api/messages', {
      token,
      json: { room: 'plain', text: lone },
    });
    const session = await request(url, '/api/session', { json: { name: `Ada \uDC00` } });
    const badName = await signToken('named', 'Bad \uD83D');
    const withBadName = await request(url, '/api/messages?room=plain', { token: badName });
    const stored = await request(url, '/api/messages?room=plain', { token });
    const storedCount = Array.isArray(stored.body?.messages) ? stored.body.messages.length : -1;
    return verdict(
      `socket message ${overSocket}; REST message ${overRest.status}; guest name ${session.status}; token name ${withBadName.status}; stored ${storedCount}`,
      {
        'the socket message was not a VALIDATION error': overSocket === 'VALIDATION',
        'the REST message was not a 400': overRest.status === 400,
        'the guest name was not a 400': session.status === 400,
        'the token with a lone surrogate was accepted':
          withBadName.status === 401 || withBadName.status === 400,
        'something was stored': storedCount === 0,
        'the server stopped answering': await healthy(url),
      },
    );
  },
};

const key = new TextEncoder().encode(SECRET);

const token = (claims: Record<string, unknown>) =>
  new SignJWT({ name: 'Edge', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('edge')
    .setIssuedAt()
    .sign(key);

export const tokenEdges: AbuseCase = {
  name: 'tokens',
  title: 'tokens with exp 1e15, exp in year 9999 and a 30 KB claim, over REST and in the handshake',
  async run({ url }) {
    const edges: Record<string, string> = {
      'exp 1e15': await token({ exp: 1e15 }),
      'exp 9999-12-31': await token({ exp: 253_402_300_799 }),
      '30 KB claim': await token({
        exp: Math.floor(Date.now() / 1000) + 3600,
        padding: 'x'.repeat(30 * 1024),
      }),
    };
    const lines: string[] = [];
    const checks: Record<string, boolean> = {};
    for (const [edge, jwt] of Object.entries(edges)) {
      const rest = await request(url, '/api/messages?room=edge', { token: jwt });
      const attempt = await handshake(url, jwt);
      if (attempt.connected) attempt.socket.close();
      const answer = attempt.connected ? 'connected' : attempt.refusal;
      lines.push(`${edge}: REST ${rest.status}, handshake ${answer}`);
      // A 30 KB header is refused before authentication (431), which is a refusal too.
      checks[`${edge} was accepted over REST or answered with a server error`] =
        rest.status === 401 || rest.status === 431;
      checks[`${edge} was accepted in the handshake`] = !attempt.connected;
    }
    checks['the server stopped answering'] = await healthy(url);
    return verdict(lines.join('; '), checks);
  },
};

export const brokenCompression: AbuseCase = {
  name: 'compressed-garbage',
  title: 'POST /api/messages with Content-Encoding: br (and gzip, deflate) and a body that is not',
  async run({ url }) {
    const auth = await signToken('sender');
    const answers: string[] = [];
    const checks: Record<string, boolean> = {};
    for (const encoding of ['br', 'gzip', 'deflate']) {
      const answer = await request(url, '/api/messages', {
        token: auth,
        body: randomBytes(4096),
        headers: { 'content-type': 'application/json', 'content-encoding': encoding },
      });
      const code = answer.body?.error?.code as string | undefined;
      answers.push(`${encoding}: ${answer.status} ${code ?? ''}`.trim());
      checks[`${encoding} garbage was not a 4xx in the shared shape`] =
        answer.status >= 400 && answer.status < 500 && typeof code === 'string';
    }
    checks['the server stopped answering'] = await healthy(url);
    return verdict(answers.join('; '), checks);
  },
};
