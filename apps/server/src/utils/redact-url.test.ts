import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    ['/api/messages?room=a&token=abc.def.ghi', '/api/messages?room=a&token=[Redacted]'],
    ['/api/session?access_token=abc&x=1', '/api/session?access_token=[Redacted]&x=1'],
    [
      '/socket.io/?EIO=4&transport=polling&Token=abc#x',
      '/socket.io/?EIO=4&transport=polling&Token=[Redacted]#x',
    ],
    [
      '/x?jwt=a&auth=b&authorization=Bearer%20c',
      '/x?jwt=[Redacted]&auth=[Redacted]&authorization=[Redacted]',
    ],
  ])('hides the credential in %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('leaves other parameters, and names that only end like one, alone', () => {
    expect(redactUrl('/api/messages?room=token&mytoken=1&limit=5')).toBe(
      '/api/messages?room=token&mytoken=1&limit=5',
    );
  });
});
