import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerProcess } from './support/server-process.js';

/**
 * The published packages as a third-party app gets them: `pnpm pack` tarballs installed with
 * plain npm into a project outside the workspace, then used from ESM, CommonJS and TypeScript.
 */
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-consumer-'));
const server = new ServerProcess();

const run = (command: string, args: string[], cwd = project) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const pack = (name: string): string => {
  const output = run('pnpm', ['pack', '--pack-destination', project], path.join(PACKAGES, name));
  const tarball = output.trim().split('\n').at(-1) ?? '';
  return path.resolve(project, tarball);
};

const write = (file: string, content: string) =>
  fs.writeFileSync(path.join(project, file), content);

const USAGE = `
const { token } = await createGuestSession(url, 'Packaged');
const chat = createChatterClient({ url, token });
const room = await chat.join('packaged');
const sent = await room.send(greeting);
chat.close();
console.log(JSON.stringify({ text: sent.text, seq: sent.seq, isError: isChatterError(new ChatterError('TIMEOUT', 'x')) }));
`;

beforeAll(async () => {
  await server.start();
  const tarballs = [pack('protocol'), pack('client')];
  write('package.json', JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs]);
}, 180_000);

afterAll(async () => {
  await server.dispose();
  fs.rmSync(project, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('carry no workspace ranges', () => {
    for (const name of ['protocol', 'client']) {
      const manifest = fs.readFileSync(
        path.join(project, 'node_modules', '@chatter', name, 'package.json'),
        'utf8',
      );
      expect(manifest).not.toContain('workspace:');
    }
    const client = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules/@chatter/client/package.json'), 'utf8'),
    );
    expect(client.dependencies['@chatter/protocol']).toMatch(/^\^\d+\.\d+\.\d+/);
  });

  it('work from an ES module', () => {
    write(
      'esm.mjs',
      `import { createChatterClient, createGuestSession, ChatterError, isChatterError } from '@chatter/client';
const url = process.argv[2]; const greeting = 'hello from ESM';
${USAGE}`,
    );
    const output = JSON.parse(run(process.execPath, ['esm.mjs', server.url]));
    expect(output).toEqual({ text: 'hello from ESM', seq: expect.any(Number), isError: true });
  });

  it('work from CommonJS', () => {
    write(
      'cjs.cjs',
      `const { createChatterClient, createGuestSession, ChatterError, isChatterError } = require('@chatter/client');
const url = process.argv[2]; const greeting = 'hello from CommonJS';
(async () => {${USAGE}})();`,
    );
    const output = JSON.parse(run(process.execPath, ['cjs.cjs', server.url]));
    expect(output).toEqual({ text: 'hello from CommonJS', seq: expect.any(Number), isError: true });
  });

  it.each(['NodeNext', 'Bundler'])('type-check under moduleResolution %s', (resolution) => {
    write(
      'app.ts',
      `import { createChatterClient, type Room } from '@chatter/client';
import type { Message } from '@chatter/protocol';
export const start = async (token: string): Promise<Message> => {
  const chat = createChatterClient({ url: 'http://localhost:3000', token });
  const room: Room = await chat.join('general');
  room.on("message", (message) => message.seq.toFixed());
  // @ts-expect-error: not an event of a room
  room.on('mesage', () => {});
  // @ts-expect-error: text must be a string
  await room.send(42);
  return room.send('typed');
};
`,
    );
    write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
          moduleResolution: resolution,
          types: [],
        },
        files: ['app.ts'],
      }),
    );
    const check = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
