import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const origins = (value: string) => loadConfig({ CORS_ORIGINS: value }).corsOrigins;

describe('CORS_ORIGINS', () => {
  it('is empty when unset: no cross-origin access', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });

  it.each([
    ['http://localhost:5173/', 'http://localhost:5173'],
    ['https://app.example', 'https://app.example'],
    ['HTTPS://App.Example', 'https://app.example'],
    ['https://app.example:443/', 'https://app.example'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000/', 'http://[::1]:3000'],
  ])('reads %s as the origin a browser sends, %s', (entry, origin) => {
    expect(origins(entry)).toEqual([origin]);
  });

  it('trims entries, drops empty ones and lists each origin once', () => {
    expect(origins(' https://a.example/ , https://b.example,, https://a.example ,')).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it.each([
    ['not a url', 'is not a URL'],
    ['localhost:5173', 'is not an http:// or https:// origin'],
    ['ftp://files.example', 'is not an http:// or https:// origin'],
    ['https://app.example/chat', 'has a path, query or fragment'],
    ['https://app.example/?x=1', 'has a path, query or fragment'],
    ['https://app.example?', 'has a path, query or fragment'],
    ['https://app.example/#top', 'has a path, query or fragment'],
    ['https://user:pw@app.example', 'has a user name or password'],
    ['*', 'has a wildcard'],
    ['https://*.example.com', 'has a wildcard'],
  ])('refuses %s, saying why', (entry, reason) => {
    const load = () => loadConfig({ CORS_ORIGINS: `https://ok.example,${entry}` });
    expect(load).toThrowError(ConfigError);
    expect(load).toThrowError(
      `CORS_ORIGINS must be a comma-separated list of origins (such as https://app.example.com or http://localhost:5173): "${entry}" ${reason}`,
    );
  });
});
