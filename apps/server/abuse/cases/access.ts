/** Who may read what: guests and app rooms, and who the status endpoint lists. */
import { call, connectSocket, signToken } from '../../bench/lib/clients.js';
import { type AbuseCase, count, verdict } from '../lib/case.js';
import { ackCode, request } from '../lib/http.js';

const guestSession = async (url: string, name = 'Guest') => {
  const answer = await request(url, '/api/session', { json: { name } });
  return { status: answer.status, token: answer.body?.token as string | undefined };
};

export const guestsReadingAppRooms: AbuseCase = {
  name: 'guest-rooms',
  title:
    'a guest token reads an app room (GET /api/messages?room=secret, join) with guests confined to CHATTER_GUEST_ROOMS=lobby',
  env: { CHATTER_GUESTS: 'true', CHATTER_GUEST_ROOMS: 'lobby' },
  async run({ url }) {
    const appToken = await signToken('app-user', 'App user');
    const posted = await request(url, '/api/messages', {
      token: appToken,
      json: { room: 'secret', text: 'for app users only' },
    });
    const guest = await guestSession(url);
    if (!guest.token)
      return verdict(`no guest session (${guest.status})`, { 'guest session': false });
    const read = await request(url, '/api/messages?room=secret', { token: guest.token });
    const lobby = await request(url, '/api/messages?room=lobby', { token: guest.token });
    const socket = await connectSocket(url, guest.token);
    const join = ackCode(await socket.timeout(5000).emitWithAck('join', { room: 'secret' }));
    socket.close();
    const refused = (status: number) => status === 401 || status === 403;
    return verdict(
      `app message ${posted.status}; guest GET secret ${read.status}, join secret ${join}; guest GET lobby ${lobby.status}`,
      {
        'the app user could not post': posted.status === 201,
        'the guest read the app room over REST': refused(read.status),
        'the guest joined the app room': join === 'FORBIDDEN' || join === 'UNAUTHORIZED',
        'the guest could not read its own room': lobby.status === 200,
      },
    );
  },
};

export const guestsOffWithSecret: AbuseCase = {
  name: 'guests-default',
  title:
    'guest sessions on a server given CHATTER_JWT_SECRET (an app signing its own tokens), with no CHATTER_GUESTS',
  async run({ url }) {
    const session = await guestSession(url);
    return verdict(`POST /api/session ${session.status}`, {
      'a guest session was handed out': session.status !== 201,
      'the refusal was a server error': session.status < 500,
    });
  },
};

const ONLINE_USERS = 200;

export const statusListsEveryone: AbuseCase = {
  name: 'status',
  title: `GET /api/status listing everyone (${ONLINE_USERS} users online in their own rooms, asked by a stranger)`,
  async run({ url }) {
    const sockets = await Promise.all(
      Array.from({ length: ONLINE_USERS }, async (_, i) => {
        const socket = await connectSocket(url, await signToken(`member-${i}`));
        await call(socket, 'join', { room: `team-${i % 20}` });
        return socket;
      }),
    );
    const stranger = await signToken('stranger');
    const all = await request(url, '/api/status', { token: stranger });
    const named = await request(
      url,
      `/api/status?users=${Array.from({ length: 50 }, (_, i) => `member-${i}`).join(',')}`,
      { token: stranger },
    );
    const anonymous = await request(url, '/api/status');
    for (const socket of sockets) socket.close();
    const listed = (answer: { body: any }) =>
      Array.isArray(answer.body?.users)
        ? answer.body.users.filter((user: { id: string }) => user.id.startsWith('member-')).length
        : 0;
    return verdict(
      `stranger: GET /api/status ${all.status} listing ${count(listed(all))} of ${ONLINE_USERS}; ?users=50 names ${named.status} listing ${listed(named)}; no token ${anonymous.status} listing ${listed(anonymous)}`,
      {
        'the stranger saw people it shares no room with': listed(all) === 0,
        'naming users showed people the stranger shares no room with': listed(named) === 0,
        'an anonymous caller saw people': listed(anonymous) === 0,
      },
    );
  },
};
