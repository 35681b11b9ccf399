#!/usr/bin/env node
// A release without the publish: copy the working tree (committed or not) to a temporary
// directory, run `pnpm version-packages` there as the release workflow's version PR does, pack
// every published package as `changeset publish` would, and check each tarball the way a
// registry user would meet it. Nothing in the repository itself changes, and nothing is uploaded.
//
//   node scripts/release-dry-run.mjs [--build] [--install] [--keep]
//
// --build rebuilds the packages in the copy; without it the copy reuses each package's `dist`
// from the working tree when there is one (`pnpm release:dry-run` and `pnpm test` build them
// first), since a version bump changes nothing in the built code. --install then installs the
// tarballs together with npm into a fresh project (their other dependencies come from the
// registry) and loads each from ESM and CommonJS. --keep leaves the copy behind.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectTarball } from './inspect-tarball.mjs';
import { installTarballs } from './install-tarballs.mjs';
import { publishedPackages } from './published-packages.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * @param {string} command @param {string[]} args @param {string} cwd
 * @returns {string}
 */
const run = (command, args, cwd) => {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // Offline: a dry run needs nothing the install of the repository did not already fetch.
      env: { ...process.env, CI: 'true', npm_config_offline: 'true' },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = /** @type {any} */ (error);
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`);
  }
};

/** The repository's files as the working tree has them: tracked and new, minus ignored ones. */
const copyWorkingTree = (/** @type {string} */ from, /** @type {string} */ to) => {
  const files = run(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    from,
  ).split('\0');
  for (const file of files) {
    const source = path.join(from, file);
    // Deleted in the working tree but not yet in git: the release would not have it either.
    // Installed packages are never copied: the copy installs its own, and an install through a
    // link into the repository's node_modules would rewrite the repository's.
    if (file === '' || !fs.existsSync(source) || file.split('/').includes('node_modules')) {
      continue;
    }
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.cpSync(source, path.join(to, file), { verbatimSymlinks: true });
  }
};

/** The changeset files waiting in `.changeset/`, by file name. */
const pendingChangesets = (/** @type {string} */ root) =>
  fs
    .readdirSync(path.join(root, '.changeset'))
    .filter((file) => file.endsWith('.md') && file !== 'README.md');

/** Package names a changeset file bumps, read from its front matter. */
const bumpedBy = (/** @type {string} */ file) => {
  const front = fs.readFileSync(file, 'utf8').match(/^---\r?\n([\s\S]*?)\r?\n---/)?.[1] ?? '';
  return [...front.matchAll(/^\s*['"]?([^'":\s]+)['"]?\s*:\s*(major|minor|patch)\s*$/gm)].map(
    (match) => /** @type {string} */ (match[1]),
  );
};

/** `1.2.3` → [1, 2, 3]; a pre-release tag is ignored, since we never publish one here. */
const parts = (/** @type {string} */ version) => version.split(/[.-]/, 3).map(Number);
const isHigher = (/** @type {string} */ a, /** @type {string} */ b) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

/**
 * @typedef {object} PackedPackage
 * @property {string} name
 * @property {string} before The version in the working tree.
 * @property {string} after The version `changeset version` gave it.
 * @property {string} tarball Path of the packed `.tgz`.
 * @property {string[]} files Paths inside the tarball, without the leading `package/`.
 * @property {Record<string, any>} manifest The packed package.json.
 */

/**
 * Runs the dry run and throws one error listing every problem found.
 *
 * @param {{ root?: string, build?: boolean, install?: boolean, keep?: boolean,
 *   log?: (line: string) => void, beforePack?: (copy: string) => void }} [options] `beforePack` lets a test break the copy
 *   (never the repository) to see that the checks notice.
 * @returns {Promise<{ copy: string, packages: PackedPackage[] }>}
 * @example
 * const { packages } = await releaseDryRun({ log: console.log });
 */
export const releaseDryRun = async ({
  root = ROOT,
  build = false,
  install = false,
  keep = false,
  log = () => {},
  beforePack,
} = {}) => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-release-'));
  const problems = [];
  try {
    copyWorkingTree(root, copy);
    log(`copied the working tree to ${copy}`);
    const before = publishedPackages(copy);
    if (before.length === 0) throw new Error('no published (non-private) workspace package found');
    // Only the root (for @changesets/cli) and the published packages: the apps' native modules
    // are not needed to version or pack, and an offline install from the store takes seconds.
    const filters = before.flatMap((pkg) => ['--filter', pkg.name]);
    run(
      'pnpm',
      ['install', '--frozen-lockfile', '--ignore-scripts', '--filter', '.', ...filters],
      copy,
    );

    const changesets = pendingChangesets(copy);
    const named = new Set(
      changesets.flatMap((file) => bumpedBy(path.join(copy, '.changeset', file))),
    );
    run('pnpm', ['run', 'version-packages'], copy);
    log(`pnpm version-packages consumed ${changesets.length} changesets`);
    const left = pendingChangesets(copy);
    if (left.length > 0) problems.push(`changesets left after versioning: ${left.join(', ')}`);

    const after = new Map(publishedPackages(copy).map((pkg) => [pkg.name, pkg]));
    for (const pkg of before) {
      const versioned = after.get(pkg.name);
      if (!versioned) throw new Error(`${pkg.name} disappeared while versioning`);
      const moved = versioned.version !== pkg.version;
      if (moved && !isHigher(versioned.version, pkg.version)) {
        problems.push(`${pkg.name}: version went from ${pkg.version} to ${versioned.version}`);
      }
      if (named.has(pkg.name) && !moved) {
        problems.push(`${pkg.name}: has changesets but stayed at ${pkg.version}`);
      }
      if (moved) {
        const changelog = path.join(versioned.dir, 'CHANGELOG.md');
        const text = fs.existsSync(changelog) ? fs.readFileSync(changelog, 'utf8') : '';
        if (!text.includes(`## ${versioned.version}\n`)) {
          problems.push(`${pkg.name}: CHANGELOG.md has no "## ${versioned.version}" section`);
        }
      }
      log(`${pkg.name}: ${pkg.version} → ${versioned.version}`);
    }

    const reused = build
      ? []
      : before.filter((pkg) => fs.existsSync(path.join(root, pkg.relativeDir, 'dist')));
    for (const pkg of reused) {
      fs.cpSync(path.join(root, pkg.relativeDir, 'dist'), path.join(pkg.dir, 'dist'), {
        recursive: true,
      });
    }
    const toBuild = before.filter((pkg) => !reused.includes(pkg));
    if (toBuild.length > 0) {
      // `--recursive` builds in dependency order, so a package builds against the copy's others.
      const only = toBuild.flatMap((pkg) => ['--filter', pkg.name]);
      run('pnpm', ['--recursive', ...only, 'run', 'build'], copy);
      log(`built ${toBuild.map((pkg) => pkg.name).join(', ')} in the copy`);
    }

    beforePack?.(copy);
    const tarballs = path.join(copy, '.tarballs');
    const versions = new Map([...after.values()].map((pkg) => [pkg.name, pkg.version]));
    const packed = [];
    for (const pkg of before) {
      const versioned = /** @type {import('./published-packages.mjs').PublishedPackage} */ (
        after.get(pkg.name)
      );
      // `pnpm pack` is what `changeset publish` uploads (through `pnpm publish`): it swaps
      // `workspace:` and `catalog:` ranges for real ones.
      const output = run('pnpm', ['pack', '--pack-destination', tarballs], versioned.dir);
      const tarball = path.resolve(tarballs, output.trim().split('\n').at(-1) ?? '');
      const inspected = inspectTarball(tarball, {
        relativeDir: versioned.relativeDir,
        version: versioned.version,
        workspaceVersions: versions,
        forbiddenText: [root, copy, os.homedir()].map((dir) => `${path.resolve(dir)}${path.sep}`),
      });
      problems.push(...inspected.problems.map((problem) => `${pkg.name}: ${problem}`));
      packed.push({
        name: pkg.name,
        before: pkg.version,
        after: versioned.version,
        tarball,
        files: inspected.files,
        manifest: inspected.manifest,
      });
      log(`${pkg.name}: packed ${path.basename(tarball)} (${inspected.files.length} files)`);
    }
    if (install && problems.length === 0) {
      const consumer = path.join(copy, '.consumer');
      const versionsOf = packed.map(({ name, after, tarball }) => ({
        name,
        version: after,
        tarball,
      }));
      problems.push(...installTarballs(versionsOf, consumer));
      log(`installed the tarballs with npm into ${consumer} and loaded each from ESM and CommonJS`);
    }
    if (problems.length > 0) {
      throw new Error(`release dry run found problems:\n  ${problems.join('\n  ')}`);
    }
    return { copy, packages: packed };
  } finally {
    if (!keep) fs.rmSync(copy, { recursive: true, force: true });
  }
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = new Set(process.argv.slice(2));
  try {
    const { packages } = await releaseDryRun({
      build: args.has('--build'),
      install: args.has('--install'),
      keep: args.has('--keep'),
      log: (line) => console.log(line),
    });
    console.log(`release dry run: ${packages.length} packages would be published`);
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exitCode = 1;
  }
}
