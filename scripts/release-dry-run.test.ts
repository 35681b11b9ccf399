import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectTarball } from './inspect-tarball.mjs';
import { publishedPackages } from './published-packages.mjs';
import { releaseDryRun } from './release-dry-run.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-tarball-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the release dry run', () => {
  it('versions a copy of the working tree, packs every published package cleanly, and installs them with npm', async () => {
    const lines: string[] = [];
    const { packages } = await releaseDryRun({ install: true, log: (line) => lines.push(line) });
    const published = publishedPackages(ROOT);
    expect(packages.map((pkg) => pkg.name)).toEqual(published.map((pkg) => pkg.name));
    for (const pkg of packages) {
      expect(pkg.manifest.version).toBe(pkg.after);
      expect(JSON.stringify(pkg.manifest)).not.toMatch(/workspace:|catalog:/);
      expect(pkg.files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    }
    // The repository itself is untouched: versions, changesets and changelogs stay as they were.
    expect(publishedPackages(ROOT).map((pkg) => pkg.version)).toEqual(
      published.map((pkg) => pkg.version),
    );
    expect(lines.join('\n')).toMatch(/pnpm version-packages consumed \d+ changesets/);
    expect(lines.join('\n')).toContain('loaded each from ESM and CommonJS');
  });
});

/** A tarball laid out as `pnpm pack` writes one, from the given files. */
const tarball = (name: string, files: Record<string, string>): string => {
  const dir = path.join(scratch, name);
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'package', file)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'package', file), content);
  }
  const file = path.join(scratch, `${name}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', dir, 'package']);
  return file;
};

const MANIFEST = {
  name: '@chatter/client',
  version: '0.2.0',
  description: 'SDK',
  keywords: ['chat'],
  homepage: 'https://github.com/chatter-chat/chatter/tree/main/packages/client#readme',
  bugs: { url: 'https://github.com/chatter-chat/chatter/issues' },
  repository: {
    type: 'git',
    url: 'git+https://github.com/chatter-chat/chatter.git',
    directory: 'packages/client',
  },
  license: 'MIT',
  main: './dist/index.cjs',
  exports: { '.': { import: './dist/index.js', require: './dist/index.cjs' } },
  dependencies: { '@chatter/protocol': '^0.2.0', zod: '^4.1.0' },
  publishConfig: { access: 'public' },
};
const EXPECTED = {
  relativeDir: 'packages/client',
  version: '0.2.0',
  workspaceVersions: new Map([
    ['@chatter/protocol', '0.2.0'],
    ['@chatter/client', '0.2.0'],
  ]),
  forbiddenText: ['/home/builder/'],
};
const GOOD_FILES = {
  'README.md': '# client',
  LICENSE: 'MIT',
  'dist/index.js': 'export {};',
  'dist/index.cjs': 'module.exports = {};',
};

describe('a packed tarball', () => {
  it('passes with its metadata, entry points, README and LICENSE', () => {
    const file = tarball('good', { ...GOOD_FILES, 'package.json': JSON.stringify(MANIFEST) });
    expect(inspectTarball(file, EXPECTED).problems).toEqual([]);
  });

  it('fails with workspace ranges, old versions, missing files and leaks, naming each', () => {
    const { repository, ...manifest } = MANIFEST;
    const file = tarball('bad', {
      'package.json': JSON.stringify({
        ...manifest,
        dependencies: { '@chatter/protocol': 'workspace:^' },
        peerDependencies: { '@chatter/client': '^0.1.0' },
      }),
      'dist/index.js': 'export {};',
      'dist/index.js.map': '{"sources":["/home/builder/chatter/packages/client/src/index.ts"]}',
      'dist/client.test.js': '',
      'test/secret.pem': '-----BEGIN PRIVATE KEY-----',
    });
    expect(inspectTarball(file, EXPECTED).problems).toEqual([
      'package.json still has a "workspace:" range',
      'repository.type is undefined, expected "git"',
      'repository.url is undefined, expected "git+https://github.com/chatter-chat/chatter.git"',
      'repository.directory is undefined, expected "packages/client"',
      'dependencies.@chatter/protocol is workspace:^, expected a range on 0.2.0',
      'peerDependencies.@chatter/client is ^0.1.0, expected a range on 0.2.0',
      'README.md is missing',
      'LICENSE is missing',
      'entry point dist/index.cjs is missing',
      'ships dist/client.test.js',
      "dist/index.js.map contains the build machine's path /home/builder/",
      'ships test/secret.pem',
    ]);
  });
});
