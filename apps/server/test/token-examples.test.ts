import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, request, spawnServer, TEST_SECRET } from './helpers.js';

// The token-minting examples of the README, run as an app's backend would run them (each in a
// directory of its own, outside the workspace), and their tokens used on a real server process.
const EXAMPLES = fileURLToPath(new URL('../../../examples/tokens/', import.meta.url));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-token-examples-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const copyExample = (name: string): string => {
  const dir = path.join(scratch, name);
  fs.cpSync(path.join(EXAMPLES, name), dir, { recursive: true });
  return dir;
};

const mint = (command: string, args: string[], cwd: string, secret = TEST_SECRET): string =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CHATTER_JWT_SECRET: secret },
    timeout: 120_000,
  }).trim();

/** The first Python 3 that can `import jwt` (PyJWT); on Debian as root, installs python3-jwt. */
const findPython = (): { python?: string; why: string } => {
  const candidates = ['python3', '/usr/bin/python3'];
  const withJwt = () =>
    candidates.find(
      (python) => spawnSync(python, ['-c', 'import jwt'], { stdio: 'ignore' }).status === 0,
    );
  const found = withJwt();
  if (found) return { python: found, why: '' };
  if (process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    const apt = (args: string[]) =>
      spawnSync('apt-get', args, {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        timeout: 300_000,
      }).status === 0;
    // A fresh machine may have no package lists yet.
    if (!apt(['install', '-y', '-qq', 'python3-jwt'])) {
      apt(['update', '-qq']);
      apt(['install', '-y', '-qq', 'python3-jwt']);
    }
    const installed = withJwt();
    if (installed) return { python: installed, why: '' };
  }
  return {
    why: 'no python3 with PyJWT here (pip install PyJWT, or apt-get install python3-jwt as root)',
  };
};
const { python, why: noPython } = findPython();

// Debian's golang-github-golang-jwt-jwt-dev: golang-jwt v4, whose NewWithClaims, MapClaims,
// SigningMethodHS256 and SignedString (all the example uses) are v5's.
const DEBIAN_JWT_V4 = '/usr/share/gocode/src/github.com/golang-jwt/jwt';

/**
 * The Go example, ready to `go run`: with golang-jwt/jwt/v5 from the module proxy, or where that
 * is unreachable, built against Debian's v4 source, which the example compiles against unchanged
 * but for the import path.
 */
const findGo = (): { go?: string; against: string; why: string } => {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    return { against: '', why: 'Go is not installed' };
  }
  const dir = copyExample('go');
  const tidy = spawnSync('go', ['mod', 'tidy'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (tidy.status === 0) return { go: dir, against: 'golang-jwt/jwt v5', why: '' };
  const reason = tidy.stderr.trim().split('\n').at(-1);
  if (!fs.existsSync(path.join(DEBIAN_JWT_V4, 'go.mod'))) {
    return { against: '', why: `go mod tidy could not fetch golang-jwt/jwt/v5 (${reason})` };
  }
  const main = path.join(dir, 'main.go');
  fs.writeFileSync(
    main,
    fs.readFileSync(main, 'utf8').replace('golang-jwt/jwt/v5"', 'golang-jwt/jwt/v4"'),
  );
  fs.writeFileSync(
    path.join(dir, 'go.mod'),
    `module example.com/chatter-token\n\ngo 1.19\n\nrequire github.com/golang-jwt/jwt/v4 v4.4.3\n\nreplace github.com/golang-jwt/jwt/v4 => ${DEBIAN_JWT_V4}\n`,
  );
  return {
    go: dir,
    against: "Debian's golang-jwt/jwt v4, the module proxy being unreachable",
    why: '',
  };
};
const { go: goDir, against: goAgainst, why: noGo } = findGo();

/**
 * The token works over REST and Socket.IO, for exactly the user it names, on a server process
 * started with CHATTER_JWT_SECRET=TEST_SECRET (stopped after the test).
 */
const expectAccepted = async (token: string, user: { id: string; name: string }) => {
  const server = await spawnServer();
  const session = await request(server.url, '/api/session', { token });
  expect(session.status).toBe(200);
  expect(session.body.user).toEqual(user);
  const sent = await request(server.url, '/api/messages', {
    token,
    body: { room: 'tokens', text: `hello from ${user.name}` },
  });
  expect(sent.status).toBe(201);
  expect(sent.body.message.author).toEqual(user);
  const socket = await connect(server.url, token);
  expect(socket.connected).toBe(true);
  socket.disconnect();
  return server;
};

describe('token minting examples', () => {
  it('Node.js (jose): the server accepts its token, and refuses one signed with another secret', async () => {
    const dir = copyExample('node');
    // As `npm install jose` would leave it: the server's own copy of jose, linked in.
    const jose = path.dirname(createRequire(import.meta.url).resolve('jose/package.json'));
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(jose, path.join(dir, 'node_modules', 'jose'), 'dir');

    const token = mint(process.execPath, ['mint-token.mjs', 'node-user', 'Ada Node'], dir);
    const server = await expectAccepted(token, { id: 'node-user', name: 'Ada Node' });

    const forged = mint(
      process.execPath,
      ['mint-token.mjs', 'node-user', 'Ada'],
      dir,
      'x'.repeat(40),
    );
    expect((await request(server.url, '/api/session', { token: forged })).status).toBe(401);
  });

  it.skipIf(!python)(
    `Python (PyJWT): the server accepts its token${python ? '' : ` [skipped: ${noPython}]`}`,
    async () => {
      const dir = copyExample('python');
      const token = mint(python as string, ['mint_token.py', 'py-user', 'Ada Python'], dir);
      await expectAccepted(token, { id: 'py-user', name: 'Ada Python' });
    },
  );

  it.skipIf(!goDir)(
    `Go: the server accepts its token ${goDir ? `(built with ${goAgainst})` : `[skipped: ${noGo}]`}`,
    async () => {
      const token = mint('go', ['run', '-mod=mod', '.', 'go-user', 'Ada Go'], goDir as string);
      await expectAccepted(token, { id: 'go-user', name: 'Ada Go' });
    },
  );
});
