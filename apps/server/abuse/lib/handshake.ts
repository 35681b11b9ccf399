/** A Socket.IO handshake that reports every way it can end, not only connect and connect_error. */
import { io, type Socket } from 'socket.io-client';

export type Handshake =
  | { connected: true; socket: Socket }
  /** `refusal`: the connect_error's code, or how the connection ended before connecting. */
  | { connected: false; refusal: string };

export const handshake = (url: string, token: string, timeoutMs = 10_000): Promise<Handshake> =>
  new Promise((resolve) => {
    const socket = io(url, {
      transports: ['websocket'],
      auth: { token },
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    const timer = setTimeout(() => refuse('no answer'), timeoutMs);
    const refuse = (refusal: string) => {
      clearTimeout(timer);
      socket.close();
      resolve({ connected: false, refusal });
    };
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ connected: true, socket });
    });
    socket.once('connect_error', (error: Error & { data?: { code?: string } }) =>
      refuse(
        error.data?.code ? `connect_error ${error.data.code}` : `connect_error ${error.message}`,
      ),
    );
    // A handshake too large for the server's frame limit ends the connection instead.
    socket.once('disconnect', (reason) => refuse(`closed (${reason})`));
  });
