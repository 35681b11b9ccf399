// Installs packed tarballs into a fresh project with plain npm, as a consumer of the registry
// would, and loads each package from an ES module and from CommonJS. Used by the release dry run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const CHECK = `
import { createRequire } from 'node:module';
const name = process.argv[2];
const esm = await import(name);
const cjs = createRequire(import.meta.url)(name);
const names = (module) => Object.keys(module).filter((key) => key !== 'default').sort();
console.log(JSON.stringify({ esm: names(esm), cjs: names(cjs) }));
`;

/**
 * The problems of installing `tarballs` together into `dir` (created; npm fetches their
 * third-party dependencies) and loading each: one line per problem, empty when all is well.
 *
 * @param {Array<{ name: string, version: string, tarball: string }>} tarballs
 * @param {string} dir
 * @returns {string[]}
 * @example
 * installTarballs([{ name: '@chatter/protocol', version: '0.1.0', tarball: 'p.tgz' }], '/tmp/app');
 */
export const installTarballs = (tarballs, dir) => {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  fs.writeFileSync(path.join(dir, 'check.mjs'), CHECK);
  const env = { ...process.env, npm_config_offline: 'false', npm_config_prefer_offline: 'true' };
  /** @param {string} command @param {string[]} args */
  const run = (command, args) =>
    execFileSync(command, args, { cwd: dir, env, encoding: 'utf8', stdio: 'pipe' });
  try {
    run('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs.map((t) => t.tarball),
    ]);
  } catch (error) {
    return [`npm install of the tarballs failed: ${/** @type {any} */ (error).stderr}`];
  }
  const problems = [];
  for (const { name, version } of tarballs) {
    const manifest = path.join(dir, 'node_modules', name, 'package.json');
    const installed = JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
    // Another version means npm went to the registry: a range on our packages missed the tarball.
    if (installed !== version) {
      problems.push(`${name}: npm installed ${installed}, not the packed ${version}`);
      continue;
    }
    try {
      const { esm, cjs } = JSON.parse(run(process.execPath, ['check.mjs', name]));
      if (esm.length === 0) problems.push(`${name}: exports nothing`);
      if (JSON.stringify(esm) !== JSON.stringify(cjs)) {
        problems.push(`${name}: ESM exports ${esm.join(', ')} but CommonJS ${cjs.join(', ')}`);
      }
    } catch (error) {
      problems.push(`${name}: does not load: ${/** @type {any} */ (error).stderr}`);
    }
  }
  return problems;
};
