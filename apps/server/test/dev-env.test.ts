import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../src/config.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TURBO = path.join(ROOT, 'node_modules/.bin/turbo');
const turboJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'turbo.json'), 'utf8'));

/** turbo's env patterns: exact names, or a prefix ending in `*`. */
const passesThrough = (patterns: string[], name: string) =>
  patterns.some((pattern) =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name,
  );

const freePort = async (): Promise<number> => {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
};

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

let running: { child: ChildProcess; port: number } | undefined;
afterEach(async () => {
  if (!running) return;
  const { child, port } = running;
  running = undefined;
  // turbo gets SIGTERM (its process group: the .bin wrapper and turbo itself) and stops the
  // tasks it started in groups of their own; wait until the server has really gone.
  if (child.pid !== undefined && child.exitCode === null) {
    const exited = once(child, 'exit');
    process.kill(-child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && (await answers(port))) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

describe('pnpm dev', () => {
  it("lets every variable the server reads, and Vite's, through turbo's strict env mode", () => {
    const patterns: string[] = turboJson.tasks.dev.passThroughEnv;
    const blocked = [...ENV_VARIABLES, 'CHATTER_SERVER_URL', 'VITE_ANYTHING', 'NODE_ENV'].filter(
      (name) => !passesThrough(patterns, name),
    );
    expect(blocked).toEqual([]);
  });

  it('starts the server on PORT with its CHATTER_* settings, and Vite forwards to it', async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-dev-'));
    // `--only`: the packages are built by the test command already; this is the dev task itself.
    const child = spawn(
      TURBO,
      ['run', 'dev', '--only', '--ui=stream', '--filter=@chatter/server', '--filter=@chatter/web'],
      {
        cwd: ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          // Not the CI job's MONGODB_URI or REDIS_URL: this server keeps to a directory of its own.
          ...Object.fromEntries(
            Object.entries(process.env).filter(
              ([name]) => !/^(CHATTER_|MONGODB_URI$|REDIS_URL$|CORS_ORIGINS$)/.test(name),
            ),
          ),
          PORT: String(port),
          CHATTER_DATA_DIR: dataDir,
          CHATTER_SESSION_TTL_SECONDS: '3600',
          TURBO_TELEMETRY_DISABLED: '1',
          NO_COLOR: '1',
        },
      },
    );
    running = { child, port };
    let output = '';
    const collect = (chunk: string) => {
      output += chunk;
    };
    child.stdout?.setEncoding('utf8').on('data', collect);
    child.stderr?.setEncoding('utf8').on('data', collect);
    try {
      const deadline = Date.now() + 60_000;
      let vite: string | undefined;
      while (Date.now() < deadline && !(vite && output.includes('listening on'))) {
        vite = output.match(/Local:\s+(http:\/\/localhost:\d+)/)?.[1];
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(output).toContain(`listening on http://localhost:${port}`);
      expect(vite, output).toBeDefined();
      // The data directory came through: the server keeps its generated secret there.
      expect(fs.existsSync(path.join(dataDir, 'jwt-secret'))).toBe(true);
      // A guest session through Vite's proxy: PORT reached vite.config.ts too, and the token's
      // lifetime shows CHATTER_SESSION_TTL_SECONDS reached the server.
      const response = await fetch(`${vite}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Dev' }),
      });
      expect(response.status).toBe(201);
      const { expiresAt } = (await response.json()) as { expiresAt: string };
      expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(3600_000);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
