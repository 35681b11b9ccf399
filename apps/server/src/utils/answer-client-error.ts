import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorPayload } from '@chatter/protocol';

// Node's own limit on a request's headers (`--max-http-header-size`), 16 KB by default.
const HEADER_LIMIT_KB = 16;

const answerFor = (code: unknown): [number, ErrorPayload] => {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [
        431,
        {
          code: 'PAYLOAD_TOO_LARGE',
          message: `Request headers are larger than ${HEADER_LIMIT_KB} KB (is the token too large?)`,
        },
      ];
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, { code: 'VALIDATION', message: 'The request took too long to arrive' }];
    default:
      return [400, { code: 'VALIDATION', message: 'Malformed HTTP request' }];
  }
};

/**
 * A request Node's HTTP parser refuses never reaches Express: Node answers it itself, with an
 * empty body. This gives those answers the shared error shape, so a client with an oversized
 * header (a 30 KB token, say) reads `{ error: { code, message } }` like every other refusal.
 * For the `clientError` event of the HTTP server.
 */
export const answerClientError = (error: Error & { code?: unknown }, socket: Duplex): void => {
  const response = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  // A reset connection, or one already answering a request, has no room for an answer.
  if (error.code === 'ECONNRESET' || !socket.writable || response?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, payload] = answerFor(error.code);
  const body = JSON.stringify({ error: payload });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
};
