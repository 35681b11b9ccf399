import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Docker is not available where the tests run, so the image and the compose setup are checked
// as text here; their commands are the ones `pnpm build` and the server tests already run.
// No YAML parser is among our dependencies: compose.yaml is read by indentation, which it keeps
// to two spaces.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEPLOY = path.join(ROOT, 'deploy');
const NGINX = '/usr/sbin/nginx';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, continuation lines joined and comments dropped, by stage. */
const dockerStages = (text: string): Instruction[][] => {
  const stages: Instruction[][] = [];
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  for (const line of logical.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const instruction = { keyword: match[1].toUpperCase(), args: match[2].trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
};

const argsOf = (stage: Instruction[], keyword: string) =>
  stage.filter((instruction) => instruction.keyword === keyword).map(({ args }) => args);

/** nginx directives without comments, so a commented-out alternative does not count. */
const directives = (file: string) => read(file).replace(/#.*$/gm, '');

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The value after `key:` on its line and the lines nested under it, in a two-space YAML file. */
const yamlEntry = (lines: string[], key: string, indent: number) => {
  const start = lines.findIndex(
    (line) => indentOf(line) === indent && line.trimStart().startsWith(`${key}:`),
  );
  if (start === -1) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => line.trim() !== '' && indentOf(line) <= indent);
  return {
    value:
      lines[start]
        ?.trim()
        .slice(key.length + 1)
        .trim() ?? '',
    body: rest.slice(0, end === -1 ? undefined : end),
  };
};

describe('Dockerfile', () => {
  const stages = dockerStages(read('Dockerfile'));
  const runtime = stages.at(-1) ?? [];

  it('builds in one stage and runs from a separate one, both on Node 20', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:20(-[\w.-]+)?(\s|$)/);
  });

  it('installs from the lockfile and ships only the server’s production dependencies', () => {
    const build = stages.slice(0, -1).flat();
    const runs = argsOf(build, 'RUN').join('\n');
    expect(runs).toMatch(/pnpm install --frozen-lockfile/);
    expect(runs).toMatch(/pnpm --filter=@chatter\/server deploy --prod/);
    for (const source of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
    }
    // A node_modules copied from the host would bring its native addons into the image.
    expect(read('.dockerignore').split('\n')).toContain('**/node_modules');
  });

  it('runs the server as a non-root user with its data on a volume', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(argsOf(runtime, 'ENV').join(' ')).toMatch(/CHATTER_DATA_DIR=\/data\b/);
    expect(argsOf(runtime, 'VOLUME')).toContain('/data');
    expect(argsOf(runtime, 'CMD')).toEqual(['["node", "dist/server.js"]']);
  });

  it('listens on 3000 and checks liveness with node, since the slim image has no curl', () => {
    expect(argsOf(runtime, 'EXPOSE')).toContain('3000');
    const [healthcheck] = argsOf(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/healthz/);
  });
});

describe('deploy/nginx.conf', () => {
  const conf = directives('deploy/nginx.conf');

  it('balances round-robin over the upstream list it includes', () => {
    expect(conf).toMatch(/upstream chatter \{[^}]*include upstream\.conf;/);
    expect(conf).not.toMatch(/\b(ip_hash|hash|least_conn|sticky)\b[^;]*;/);
    // The sticky alternative for long-polling-only clients is there, commented out.
    expect(read('deploy/nginx.conf')).toMatch(/#\s*hash \$remote_addr consistent;/);
    for (const list of ['deploy/upstream.conf', 'deploy/upstream.compose.conf']) {
      const servers = directives(list).match(/^\s*server \S+ max_fails=1 fail_timeout=\d+s;/gm);
      expect(servers?.length, list).toBeGreaterThanOrEqual(2);
    }
  });

  it('upgrades WebSockets and keeps them open past Socket.IO’s 25 s pings', () => {
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{/);
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_read_timeout (\d+h|\d{3,}s?);/);
    expect(conf).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    expect(conf).toMatch(/proxy_next_upstream error timeout;/);
    expect(conf).toMatch(/^\s*include listen\.conf;/m);
    expect(read('deploy/listen.conf')).toMatch(/^listen 8080;$/m);
  });

  it('refuses /metrics, which Prometheus reads from each node directly', () => {
    expect(conf).toMatch(/location ~\* \^\/metrics\/\?\$ \{\s*deny all;\s*\}/);
  });

  it('leaves daemon mode to the command line, for containers and tests', () => {
    expect(conf).not.toMatch(/\bdaemon\b/);
  });

  it.skipIf(!existsSync(NGINX))('passes nginx -t with a prefix of its own', () => {
    const prefix = mkdtempSync(path.join(tmpdir(), 'chatter-nginx-'));
    try {
      const check = spawnSync(
        NGINX,
        ['-t', '-e', 'stderr', '-p', prefix, '-c', path.join(DEPLOY, 'nginx.conf')],
        { encoding: 'utf8' },
      );
      expect(check.stderr).toMatch(/test is successful/);
      expect(check.status).toBe(0);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});

describe('deploy/compose.yaml', () => {
  const text = read('deploy/compose.yaml');
  const lines = text.split('\n').filter((line) => !line.trimStart().startsWith('#'));
  const services = yamlEntry(lines, 'services', 0)?.body ?? [];
  const names = services.flatMap((line) => /^ {2}([\w-]+):/.exec(line)?.[1] ?? []);
  /** The lines of a top-level entry that holds the YAML anchor `&name`. */
  const anchored = (name: string): string[] => {
    const key = lines.find((line) => line.endsWith(`&${name}`))?.split(':')[0] ?? '';
    return yamlEntry(lines, key, 0)?.body ?? [];
  };
  /** A service's lines, with those of the anchors it refers to (`node1: *node`, `<<: *mongo`). */
  const service = (name: string): string => {
    const entry = yamlEntry(services, name, 2);
    const own = [entry?.value ?? '', ...(entry?.body ?? [])];
    const aliases = own.flatMap((line) => /^\s*(?:<<:\s*)?\*([\w-]+)$/.exec(line)?.[1] ?? []);
    return [...own, ...aliases.flatMap(anchored)].join('\n');
  };

  it('is indented with spaces, as YAML requires', () => {
    expect(text).not.toMatch(/^\t/m);
  });

  it('runs nginx, three nodes, Redis and a three-member MongoDB replica set', () => {
    for (const name of [
      'nginx',
      'node1',
      'node2',
      'node3',
      'redis',
      'mongo1',
      'mongo2',
      'mongo3',
    ]) {
      expect(names).toContain(name);
    }
    for (const name of ['mongo1', 'mongo2', 'mongo3']) {
      expect(service(name)).toMatch(/mongod.*--replSet.*rs0/);
    }
  });

  it('mounts deploy/nginx.conf with an upstream list that names the compose nodes', () => {
    const nginx = service('nginx');
    expect(nginx).toMatch(/- \.\/nginx\.conf:\/etc\/nginx\/nginx\.conf:ro/);
    expect(nginx).toMatch(/- \.\/upstream\.compose\.conf:\/etc\/nginx\/upstream\.conf:ro/);
    expect(existsSync(path.join(DEPLOY, 'nginx.conf'))).toBe(true);
    const upstreams = [
      ...directives('deploy/upstream.compose.conf').matchAll(/server ([\w-]+):3000/g),
    ];
    expect(upstreams.map((match) => match[1])).toEqual(['node1', 'node2', 'node3']);
  });

  it('starts each node only after the replica set is initiated and Redis answers', () => {
    const init = service('mongo-init');
    expect(init).toMatch(/rs\.initiate\(/);
    expect(init).toMatch(/restart: "no"/);
    for (const name of ['node1', 'node2', 'node3']) {
      const node = service(name);
      expect(node).toMatch(/build:\s+context: \.\./);
      expect(node).toMatch(/mongo-init:\s+condition: service_completed_successfully/);
      expect(node).toMatch(/redis:\s+condition: service_healthy/);
      expect(node).toMatch(/REDIS_URL: redis:\/\/redis:6379/);
      expect(node).toMatch(
        /MONGODB_URI: mongodb:\/\/mongo1:27017,mongo2:27017,mongo3:27017\/\w+\?replicaSet=rs0/,
      );
      // Compose refuses to start without it rather than give each node a secret of its own.
      expect(node).toMatch(/CHATTER_JWT_SECRET: \$\{CHATTER_JWT_SECRET:\?[^}]+\}/);
      expect(node).toMatch(/CHATTER_TRUST_PROXY: \S+/);
    }
  });
});
