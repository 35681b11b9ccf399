// The workspace packages we publish to npm, and the metadata npm and GitHub need on each of them.
// Shared by the release dry run and the metadata test, so a new package is covered the day it is
// added: every workspace package without `"private": true` is published by `changeset publish`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const REPOSITORY_URL = 'git+https://github.com/chatter-chat/chatter.git';
export const REPOSITORY_WEB = 'https://github.com/chatter-chat/chatter';

/**
 * @typedef {object} PublishedPackage
 * @property {string} name
 * @property {string} version
 * @property {string} dir Absolute path of the package directory.
 * @property {string} relativeDir Its path from the repository root, with `/` separators.
 * @property {Record<string, any>} manifest Its package.json.
 */

/**
 * Every workspace package of the repository at `root` that is not private, as pnpm lists them
 * (from `pnpm-workspace.yaml`), in name order.
 *
 * @param {string} root
 * @returns {PublishedPackage[]}
 * @example
 * publishedPackages(process.cwd()).map((pkg) => pkg.name); // ['@chatter/client', ...]
 */
export const publishedPackages = (root) => {
  /** @type {Array<{ path: string }>} */
  const listed = JSON.parse(
    execFileSync('pnpm', ['ls', '--recursive', '--depth', '-1', '--json'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  return listed
    .filter((entry) => path.resolve(entry.path) !== path.resolve(root))
    .map((entry) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(entry.path, 'package.json'), 'utf8'));
      return {
        name: manifest.name,
        version: manifest.version,
        dir: entry.path,
        relativeDir: path.relative(root, entry.path).split(path.sep).join('/'),
        manifest,
      };
    })
    .filter((/** @type {PublishedPackage} */ pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.name.localeCompare(b.name));
};

/**
 * What a published package's manifest lacks of the metadata the npm page, provenance and
 * `changeset publish` rely on: one line per problem, empty when all is there.
 *
 * @param {Record<string, any>} manifest
 * @param {string} relativeDir The package's directory from the repository root, e.g. `packages/client`.
 * @returns {string[]}
 * @example
 * metadataProblems(manifest, 'packages/client'); // [] or ['homepage is …, expected …']
 */
export const metadataProblems = (manifest, relativeDir) => {
  const problems = [];
  /** @param {string} field @param {unknown} actual @param {unknown} expected */
  const expectEqual = (field, actual, expected) => {
    if (actual !== expected) {
      problems.push(`${field} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  };
  // npm provenance refuses a package whose repository.url is not the repository it is built
  // from; `directory` takes the npm page's links to the package rather than the repo root.
  expectEqual('repository.type', manifest.repository?.type, 'git');
  expectEqual('repository.url', manifest.repository?.url, REPOSITORY_URL);
  expectEqual('repository.directory', manifest.repository?.directory, relativeDir);
  expectEqual('homepage', manifest.homepage, `${REPOSITORY_WEB}/tree/main/${relativeDir}#readme`);
  expectEqual('bugs.url', manifest.bugs?.url, `${REPOSITORY_WEB}/issues`);
  // Scoped packages are published as restricted (paid, private) unless told otherwise.
  expectEqual('publishConfig.access', manifest.publishConfig?.access, 'public');
  expectEqual('license', manifest.license, 'MIT');
  const keywords = manifest.keywords;
  if (
    !Array.isArray(keywords) ||
    keywords.length === 0 ||
    !keywords.every((word) => typeof word === 'string' && word.length > 0)
  ) {
    problems.push(`keywords is ${JSON.stringify(keywords)}, expected a list of words`);
  }
  if (typeof manifest.description !== 'string' || manifest.description.length === 0) {
    problems.push('description is missing');
  }
  return problems;
};
