import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metadataProblems, publishedPackages } from './published-packages.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const packages = publishedPackages(ROOT);

describe('published packages', () => {
  it('are every workspace package not marked private, the SDK and protocol among them', () => {
    const names = packages.map((pkg) => pkg.name);
    expect(names).toEqual(expect.arrayContaining(['@chatter/client', '@chatter/protocol']));
    expect(names).not.toContain('@chatter/server');
    expect(names).not.toContain('@chatter/web');
  });

  it.each(packages.map((pkg) => [pkg.name, pkg] as const))(
    '%s has repository, homepage, bugs, keywords and public access',
    (_, pkg) => {
      expect(metadataProblems(pkg.manifest, pkg.relativeDir)).toEqual([]);
      // npm shows the README and ships the LICENSE only if they sit beside package.json.
      expect(fs.existsSync(path.join(pkg.dir, 'README.md'))).toBe(true);
      expect(fs.existsSync(path.join(pkg.dir, 'LICENSE'))).toBe(true);
    },
  );

  it('says what is missing or wrong', () => {
    const client = packages.find((pkg) => pkg.name === '@chatter/client');
    if (!client) throw new Error('no @chatter/client');
    const { repository, publishConfig, keywords, ...rest } = client.manifest;
    expect(metadataProblems(rest, client.relativeDir)).toEqual([
      'repository.type is undefined, expected "git"',
      'repository.url is undefined, expected "git+https://github.com/chatter-chat/chatter.git"',
      'repository.directory is undefined, expected "packages/client"',
      'publishConfig.access is undefined, expected "public"',
      'keywords is undefined, expected a list of words',
    ]);
    expect(
      metadataProblems({ ...client.manifest, homepage: 'https://example.com' }, 'packages/client'),
    ).toEqual([
      'homepage is "https://example.com", expected "https://github.com/chatter-chat/chatter/tree/main/packages/client#readme"',
    ]);
    expect(metadataProblems(client.manifest, 'packages/protocol')).toHaveLength(2);
  });
});
