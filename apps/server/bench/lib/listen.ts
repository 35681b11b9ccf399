/** Listening on 127.0.0.1 with a free port, for the baseline servers. */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

export const listenLocal = (server: http.Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
