// @vitest-environment node
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * @chatter/react as an app gets it: the three `pnpm pack` tarballs installed with plain npm
 * (with React from the registry) into a project outside the workspace, then rendered on the
 * server from ESM and CommonJS, and type-checked from TypeScript.
 */
const PACKAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-react-consumer-'));

const run = (command: string, args: string[], cwd = project) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const pack = (name: string): string => {
  const output = run('pnpm', ['pack', '--pack-destination', project], path.join(PACKAGES, name));
  return path.resolve(project, output.trim().split('\n').at(-1) ?? '');
};

const write = (file: string, content: string) =>
  fs.writeFileSync(path.join(project, file), content);

beforeAll(() => {
  const tarballs = [pack('protocol'), pack('client'), pack('react')];
  write('package.json', JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...tarballs,
    'react@19',
    'react-dom@19',
    '@types/react@19',
  ]);
}, 180_000);

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

/** A component on the hooks, rendered to HTML: no effect runs on the server, so nothing joins. */
const RENDER = `
const Room = () => {
  const { messages, hasMore } = useRoom('general');
  return createElement('p', null, \`\${messages.length} messages, more: \${hasMore}\`);
};
const chat = createChatterClient({ url: 'http://localhost:1', token: 'unused' });
console.log(renderToString(createElement(ChatterProvider, { client: chat }, createElement(Room))));
chat.close();
`;

describe('the packed @chatter/react', () => {
  it('carries no workspace ranges and names react as a peer', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(project, 'node_modules/@chatter/react/package.json'), 'utf8'),
    );
    expect(manifest.dependencies['@chatter/client']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(manifest.peerDependencies).toEqual({ react: '^18.3 || ^19' });
  });

  it('renders from an ES module', () => {
    write(
      'esm.mjs',
      `import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { createChatterClient } from '@chatter/client';
import { ChatterProvider, useRoom } from '@chatter/react';
${RENDER}`,
    );
    expect(run(process.execPath, ['esm.mjs']).trim()).toBe('<p>0 messages, more: false</p>');
  });

  it('renders from CommonJS', () => {
    write(
      'cjs.cjs',
      `const { createElement } = require('react');
const { renderToString } = require('react-dom/server');
const { createChatterClient } = require('@chatter/client');
const { ChatterProvider, useRoom } = require('@chatter/react');
${RENDER}`,
    );
    expect(run(process.execPath, ['cjs.cjs']).trim()).toBe('<p>0 messages, more: false</p>');
  });

  it.each(['NodeNext', 'Bundler'])('type-checks under moduleResolution %s', (resolution) => {
    write(
      'app.tsx',
      `import type { Message } from '@chatter/client';
import { ChatterProvider, useMessageActions, useRoom, useUnreadCounts } from '@chatter/react';

export const Room = ({ name }: { name: string }) => {
  const { room, messages, send } = useRoom(name, { leaveOnUnmount: true });
  const { toggleReaction } = useMessageActions(room);
  const { total } = useUnreadCounts();
  const first: Message | undefined = messages[0];
  // @ts-expect-error: text must be a string
  void send(42);
  return (
    <button type="button" onClick={() => first && toggleReaction(first, '👍')}>
      {total}
    </button>
  );
};

export const App = ({ token }: { token: string }) => (
  <ChatterProvider options={{ url: 'http://localhost:3000', token }}>
    <Room name="general" />
  </ChatterProvider>
);
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
          jsx: 'react-jsx',
          module: resolution === 'NodeNext' ? 'NodeNext' : 'ESNext',
          moduleResolution: resolution,
          types: [],
        },
        files: ['app.tsx'],
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
