import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

// No YAML parser is among our dependencies; the workflow is read line by line, which its flat
// `key: value` lines allow.
const workflow = fs.readFileSync(
  new URL('../.github/workflows/release.yml', import.meta.url),
  'utf8',
);
const root = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const value = (key: string) =>
  workflow.match(new RegExp(`^\\s*${key}: (.+?)\\s*(#.*)?$`, 'm'))?.[1];

describe('the release workflow', () => {
  it('versions and publishes through the root scripts, which exist and do so', () => {
    expect(workflow).toContain('uses: changesets/action@v1');
    expect(value('version')).toBe('pnpm version-packages');
    expect(value('publish')).toBe('pnpm release');
    expect(root.scripts['version-packages']).toMatch(/^changeset version && pnpm install/);
    expect(root.scripts.release).toMatch(/turbo run build .*&& changeset publish$/);
  });

  it('publishes with provenance from main, one run at a time', () => {
    expect(value('id-token')).toBe('write');
    expect(value('NPM_CONFIG_PROVENANCE')).toBe('"true"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub's expression syntax
    expect(value('NPM_TOKEN')).toBe('${{ secrets.NPM_TOKEN }}');
    expect(value('cancel-in-progress')).toBe('false');
    expect(workflow).toMatch(/on:\n {2}push:\n {4}branches: \[main\]/);
    // The Node.js line CI tests on; pnpm comes from package.json's packageManager.
    expect(value('node-version')).toBe('"20"');
    expect(root.packageManager).toMatch(/^pnpm@10\./);
  });
});
