import {
  ServerProcess as ClientTestServer,
  type ServerProcessOptions,
} from '../../../client/test/support/server-process.js';
import { APP_ORIGIN } from './app-origin.js';

export { freePort, POSTER, TEST_SECRET } from '../../../client/test/support/server-process.js';

/**
 * The client tests' server process, allowing the origin the React tests' page (happy-dom) runs
 * on: happy-dom's fetch enforces CORS, as a browser does for an app on another origin.
 */
export class ServerProcess extends ClientTestServer {
  constructor(options: ServerProcessOptions = {}) {
    super({ ...options, env: { CORS_ORIGINS: APP_ORIGIN, ...options.env } });
  }
}
