import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../../test/helpers.js';
import { ConfigError } from '../config.js';
import { createSecretFile, resolveJwtSecret, SECRET_FILE } from './jwt-secret.js';

describe('resolveJwtSecret', () => {
  it('uses the configured secret and writes no file', () => {
    const dataDir = tempDataDir();
    expect(resolveJwtSecret('x'.repeat(40), dataDir)).toBe('x'.repeat(40));
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('makes a secret on first start, readable by the owner alone, and keeps it', () => {
    const dataDir = path.join(tempDataDir(), 'not-yet-there');
    const secret = resolveJwtSecret(undefined, dataDir);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, SECRET_FILE);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${secret}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveJwtSecret(undefined, dataDir)).toBe(secret);
    // The temporary file it was written through is gone.
    expect(fs.readdirSync(dataDir)).toEqual([SECRET_FILE]);
  });

  it.each([
    ['empty', '', 'is empty'],
    ['blank', ' \n', 'is empty'],
    ['short', 'only-20-characters!!\n', 'holds only 20 characters'],
  ])('refuses an %s secret file, naming it', (_, contents, what) => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, SECRET_FILE);
    fs.writeFileSync(file, contents);
    expect(() => resolveJwtSecret(undefined, dataDir)).toThrow(ConfigError);
    expect(() => resolveJwtSecret(undefined, dataDir)).toThrow(
      `the JWT secret file ${file} ${what} (at least 32 needed)`,
    );
    // Left as it was for the operator to look at.
    expect(fs.readFileSync(file, 'utf8')).toBe(contents);
  });

  it('refuses a secret file it cannot read, naming it', () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, SECRET_FILE);
    fs.mkdirSync(file);
    expect(() => resolveJwtSecret(undefined, dataDir)).toThrow(
      `cannot read the JWT secret file ${file}: EISDIR`,
    );
  });

  it('uses the secret another process put in place after this one looked, not its own', () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, SECRET_FILE);
    const theirs = 't'.repeat(43);
    fs.writeFileSync(file, `${theirs}\n`);
    expect(createSecretFile(file)).toBe(theirs);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${theirs}\n`);
    expect(fs.readdirSync(dataDir)).toEqual([SECRET_FILE]);
  });
});
