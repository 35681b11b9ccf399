import { chatterEnv } from './clients.js';
import { type ServerProcess, startServerProcess } from './spawn.js';

/** The servers the parts measure: Chatter, the naive tutorial server, the bare Socket.IO relay. */
export type Contender = 'chatter' | 'naive' | 'relay';

/** Starts `contender` as its own process; Chatter and the naive server keep their data in `dir`. */
export const startContender = (contender: Contender, dir: string): Promise<ServerProcess> => {
  switch (contender) {
    case 'chatter':
      return startServerProcess('chatter-node.ts', chatterEnv(dir));
    case 'naive':
      return startServerProcess('naive-server.ts', { NAIVE_DATA_DIR: dir });
    case 'relay':
      return startServerProcess('bare-relay.ts');
  }
};
