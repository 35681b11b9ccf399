// Checks one packed package as npm would serve it: the manifest a consumer's installer reads and
// the files it unpacks. Used by the release dry run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { metadataProblems } from './published-packages.mjs';

const DEPENDENCY_FIELDS = [
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
  'devDependencies',
];

// Build inputs and test files never belong in a tarball: they add weight, and tests carry
// secrets and fixtures of their own.
const NOT_SHIPPED = [
  /(^|\/)(test|tests|__tests__)\//,
  /\.test(-d)?\.[cm]?[jt]sx?$/,
  /(^|\/)\.env(\.|$)/,
  /(^|\/)tsconfig[^/]*\.json$/,
  /(^|\/)tsup\.config\./,
  /(^|\/)vitest\.config\./,
  /\.tsbuildinfo$/,
  /\.(pem|key|p12)$/,
  /(^|\/)node_modules\//,
];

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Every file path a package.json's entry points name (`exports`, `main`, `module`, `types`). */
const entryPoints = (/** @type {Record<string, any>} */ manifest) => {
  const found = new Set();
  /** @param {unknown} value */
  const walk = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) found.add(value.slice(2));
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) walk(inner);
    }
  };
  walk(manifest.exports);
  for (const field of ['main', 'module', 'types', 'typings']) {
    if (typeof manifest[field] === 'string') found.add(path.posix.normalize(manifest[field]));
  }
  return [...found];
};

/**
 * The problems of one tarball, with its file list and manifest.
 *
 * @param {string} tarball
 * @param {{ relativeDir: string, version: string, workspaceVersions: Map<string, string>,
 *   forbiddenText: string[] }} expected The package's directory in the repository, the version it
 *   must carry, the versions of all published workspace packages (the ranges on them must name
 *   these), and text no file may contain (the build machine's paths).
 * @returns {{ problems: string[], files: string[], manifest: Record<string, any> }}
 * @example
 * inspectTarball('chatter-client-0.1.0.tgz', { relativeDir: 'packages/client', version: '0.1.0',
 *   workspaceVersions: new Map([['@chatter/protocol', '0.1.0']]), forbiddenText: ['/home/ci'] });
 */
export const inspectTarball = (tarball, expected) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-tarball-'));
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    const base = path.join(dir, 'package');
    const files = /** @type {string[]} */ (fs.readdirSync(base, { recursive: true }))
      .map((file) => file.split(path.sep).join('/'))
      .filter((file) => fs.statSync(path.join(base, file)).isFile())
      .sort();
    const problems = [];
    const manifestText = fs.readFileSync(path.join(base, 'package.json'), 'utf8');
    const manifest = JSON.parse(manifestText);

    for (const protocol of ['workspace:', 'catalog:', 'link:', 'file:']) {
      if (manifestText.includes(`"${protocol}`)) {
        problems.push(`package.json still has a "${protocol}" range`);
      }
    }
    if (manifest.version !== expected.version) {
      problems.push(`package.json has version ${manifest.version}, expected ${expected.version}`);
    }
    problems.push(...metadataProblems(manifest, expected.relativeDir));
    for (const field of DEPENDENCY_FIELDS) {
      for (const [name, range] of Object.entries(manifest[field] ?? {})) {
        const version = expected.workspaceVersions.get(name);
        // devDependencies of a workspace package may name a private one; they are not installed.
        if (version === undefined || field === 'devDependencies') continue;
        if (!new RegExp(`^[\\^~]?${version.replaceAll('.', '\\.')}$`).test(String(range))) {
          problems.push(`${field}.${name} is ${range}, expected a range on ${version}`);
        }
      }
    }

    for (const required of ['package.json', 'README.md', 'LICENSE']) {
      if (!files.includes(required)) problems.push(`${required} is missing`);
    }
    if (!files.some((file) => file.startsWith('dist/'))) problems.push('dist/ is missing');
    for (const entry of entryPoints(manifest)) {
      if (!files.includes(entry)) problems.push(`entry point ${entry} is missing`);
    }
    for (const file of files) {
      if (NOT_SHIPPED.some((pattern) => pattern.test(file))) problems.push(`ships ${file}`);
      if (!/\.(c|m)?(js|ts)$|\.map$|\.json$|\.md$|^LICENSE$/.test(file)) continue;
      const text = fs.readFileSync(path.join(base, file), 'utf8');
      if (PRIVATE_KEY.test(text)) problems.push(`${file} holds a private key`);
      // A build machine's absolute paths (in source maps, mostly) say where it kept its files.
      const leaked = expected.forbiddenText.find((forbidden) => text.includes(forbidden));
      if (leaked) problems.push(`${file} contains the build machine's path ${leaked}`);
    }
    return { problems, files, manifest };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
