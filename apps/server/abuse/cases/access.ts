/** Who may read what: guests and app rooms, and who the status endpoint lists. */
import type { Presence } from '@chatter/protocol';
import { SignJWT } from 'jose';
import { call, connectSocket, SECRET, signToken } from '../../bench/lib/clients.js';
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

/**
 * Status answers about users who share a room the caller may use (README: "Who can see whose
 * status"). A caller who may use every room could join any of them and see everyone there, so the
 * strangers here are confined: a guest under CHATTER_GUEST_ROOMS, and an app token with a `rooms`
 * claim.
 */
export const statusListsEveryone: AbuseCase = {
  name: 'status',
  title: `GET /api/status listing everyone: ${ONLINE_USERS} users online in team rooms, asked by callers confined elsewhere`,
  env: { CHATTER_GUESTS: 'true', CHATTER_GUEST_ROOMS: 'lobby' },
  async run({ url }) {
    const sockets = await Promise.all(
      Array.from({ length: ONLINE_USERS }, async (_, i) => {
        const socket = await connectSocket(url, await signToken(`member-${i}`));
        await call(socket, 'join', { room: `team-${i % 20}` });
        return socket;
      }),
    );
    const guest = (await guestSession(url, 'Stranger')).token;
    const confined = await new SignJWT({ name: 'Partner', rooms: ['partners'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('partner')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const names = Array.from({ length: 50 }, (_, i) => `member-${i}`).join(',');
    const listed = async (token: string | undefined, query = '') => {
      const answer = await request(url, `/api/status${query}`, token ? { token } : {});
      const users = Array.isArray(answer.body?.users) ? answer.body.users : [];
      return {
        status: answer.status,
        members: users.filter(({ user }: Presence) => user.id.startsWith('member-')).length,
      };
    };
    const asGuest = await listed(guest);
    const asGuestNaming = await listed(guest, `?users=${names}`);
    const asPartner = await listed(confined);
    const asPartnerNaming = await listed(confined, `?users=${names}`);
    const anonymous = await listed(undefined);
    for (const socket of sockets) socket.close();
    const line = (who: string, { status, members }: { status: number; members: number }) =>
      `${who} ${status} listing ${count(members)}`;
    return verdict(
      [
        line('guest', asGuest),
        line('guest naming 50', asGuestNaming),
        line('rooms-claim token', asPartner),
        line('rooms-claim token naming 50', asPartnerNaming),
        line('no token', anonymous),
      ].join('; '),
      {
        'the guest saw people it shares no room with':
          asGuest.members === 0 && asGuestNaming.members === 0,
        'the confined token saw people it shares no room with':
          asPartner.members === 0 && asPartnerNaming.members === 0,
        'an anonymous caller saw people': anonymous.members === 0,
      },
    );
  },
};
