import { describe, expect, it } from 'vitest';
import { decodeSession } from '../../../../src/gateway/ussd/session.js';

describe('decodeSession', () => {
  it('treats anything unreadable as no session', () => {
    for (const raw of [null, '', '{', '[]', 'null', '{"nonce":"0"}', JSON.stringify({ nonce: '0', state: { s: 'nowhere' } })]) {
      expect(decodeSession(raw)).toBeNull();
    }
  });
});
