import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-process.js';

const NGINX = '/usr/sbin/nginx';
const DEPLOY_DIR = fileURLToPath(new URL('../../../../deploy/', import.meta.url));

/** deploy/nginx.conf takes its port from `listen.conf` beside it, so tests run the file itself. */
const LISTEN_INCLUDE = /^\s*include\s+listen\.conf;/m;
const UPSTREAM_SERVER = /^(\s*server\s+)\S+(.*)$/;

/**
 * nginx with the repository's own deploy/nginx.conf, unchanged, listening on a free port,
 * in front of the given nodes: deploy/upstream.conf's `server` lines pointed at their ports.
 * Everything nginx writes lives in a temporary prefix directory.
 */
export class NginxProcess {
  readonly #prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-nginx-'));
  readonly #upstreamPorts: () => number[];
  port = 0;
  #child: ChildProcess | undefined;

  constructor(upstreamPorts: () => number[]) {
    this.#upstreamPorts = upstreamPorts;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** nginx's error log and its access log, whose lines name the node (`upstream=`) served. */
  get output(): string {
    return fs.existsSync(this.#logFile) ? fs.readFileSync(this.#logFile, 'utf8') : '';
  }

  get #logFile(): string {
    return path.join(this.#prefix, 'output.log');
  }

  async start(): Promise<void> {
    if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: apt-get install -y nginx`);
    if (this.port === 0) this.port = await freePort();
    this.#writeConfig();
    // nginx's workers run as `nobody` when the tests run as root; they need to reach the
    // prefix's temporary directories, and mkdtemp makes the prefix private to its owner.
    fs.chmodSync(this.#prefix, 0o755);
    // A file, not a pipe: Node gives a child a socket for `pipe`, and the configuration's
    // `access_log /dev/stdout` cannot be opened on a socket (ENXIO).
    const log = fs.openSync(this.#logFile, 'a');
    const child = spawn(
      NGINX,
      ['-e', 'stderr', '-p', this.#prefix, '-c', 'nginx.conf', '-g', 'daemon off;'],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (!(await this.#answers())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`nginx did not start on port ${this.port}:\n${this.output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** SIGTERM: nginx's fast shutdown, which closes the connections it holds and its workers. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    fs.rmSync(this.#prefix, { recursive: true, force: true });
  }

  #writeConfig(): void {
    const config = fs.readFileSync(path.join(DEPLOY_DIR, 'nginx.conf'), 'utf8');
    if (!/^\s*include\s+upstream\.conf;/m.test(config)) {
      throw new Error('deploy/nginx.conf no longer includes upstream.conf');
    }
    const listen = `listen 127.0.0.1:${this.port};`;
    if (!LISTEN_INCLUDE.test(config)) {
      throw new Error('deploy/nginx.conf no longer takes its port from listen.conf');
    }
    fs.copyFileSync(path.join(DEPLOY_DIR, 'nginx.conf'), path.join(this.#prefix, 'nginx.conf'));
    fs.writeFileSync(path.join(this.#prefix, 'listen.conf'), `${listen}\n`);

    const servers = fs
      .readFileSync(path.join(DEPLOY_DIR, 'upstream.conf'), 'utf8')
      .split('\n')
      .filter((line) => UPSTREAM_SERVER.test(line));
    if (servers.length === 0) throw new Error('deploy/upstream.conf has no `server` line');
    const upstream = this.#upstreamPorts().map((port, index) =>
      (servers[index % servers.length] ?? '').replace(
        UPSTREAM_SERVER,
        (_line, directive: string, options: string) => `${directive}127.0.0.1:${port}${options}`,
      ),
    );
    fs.writeFileSync(path.join(this.#prefix, 'upstream.conf'), `${upstream.join('\n')}\n`);
  }

  async #answers(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/readyz`)).ok;
    } catch {
      return false;
    }
  }
}
