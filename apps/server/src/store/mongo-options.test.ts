import { describe, expect, it } from 'vitest';
import {
  connectOptions,
  DEFAULT_DATABASE,
  databaseName,
  describeTarget,
  withoutWriteConcern,
} from './mongo-options.js';

describe('databaseName', () => {
  it.each([
    ['mongodb://127.0.0.1:27017/chat', 'chat'],
    ['mongodb://u:p@h1:27017,h2:27017/chat-prod?replicaSet=rs0', 'chat-prod'],
    ['mongodb+srv://u:p@cluster0.example.net/chatter_eu?retryWrites=true', 'chatter_eu'],
    ['mongodb://127.0.0.1:27017', DEFAULT_DATABASE],
    ['mongodb://127.0.0.1:27017/?replicaSet=rs0', DEFAULT_DATABASE],
  ])('%s → %s', (uri, name) => {
    expect(databaseName(uri)).toBe(name);
  });
});

describe('describeTarget', () => {
  it('names hosts and database and never the credentials', () => {
    const target = describeTarget(
      'mongodb://alice:s3cret@db1:27017,db2:27018/chat?replicaSet=rs0&authSource=admin',
    );
    expect(target).toBe('db1:27017,db2:27018/chat');
    expect(describeTarget('mongodb+srv://alice:s3cret@cluster0.example.net/')).toBe(
      'cluster0.example.net/chatter',
    );
  });
});

describe('connectOptions', () => {
  it('acknowledges writes once a majority has journaled them, reads from the primary, sanitizes filters', () => {
    expect(
      connectOptions({
        uri: 'mongodb://db1:27017/chat',
        writeConcern: 'majority',
        writeTimeoutMs: 10_000,
      }),
    ).toEqual({
      dbName: 'chat',
      writeConcern: { w: 'majority', journal: true, wtimeoutMS: 10_000 },
      readPreference: 'primary',
      sanitizeFilter: true,
      autoIndex: false,
      autoCreate: false,
      bufferCommands: false,
    });
  });

  it('takes a numeric write concern and the write timeout from the settings', () => {
    const options = connectOptions({
      uri: 'mongodb://db1:27017',
      writeConcern: 2,
      writeTimeoutMs: 2500,
    });
    expect(options.writeConcern).toEqual({ w: 2, journal: true, wtimeoutMS: 2500 });
    expect(options.dbName).toBe(DEFAULT_DATABASE);
  });
});

describe('withoutWriteConcern', () => {
  it('takes the write-concern options out of the URI, whatever their case, and keeps the rest', () => {
    expect(
      withoutWriteConcern(
        'mongodb://u:p%40ss@db1:27017,db2:27017/chat?replicaSet=rs0&W=1&journal=false&wtimeoutMS=5&j=false&fsync=true&appName=chatter',
      ),
    ).toEqual({
      uri: 'mongodb://u:p%40ss@db1:27017,db2:27017/chat?replicaSet=rs0&appName=chatter',
      removed: ['W', 'journal', 'wtimeoutMS', 'j', 'fsync'],
    });
  });

  it('leaves a URI without them exactly as it was', () => {
    const uri = 'mongodb+srv://u:p@cluster0.example.net/chat?retryWrites=true&appName=x';
    expect(withoutWriteConcern(uri)).toEqual({ uri, removed: [] });
  });
});
