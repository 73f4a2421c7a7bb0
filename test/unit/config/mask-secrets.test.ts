import { describe, expect, it } from 'vitest';
import { MASK, maskSecrets } from '../../../src/config/mask-secrets.js';

describe('maskSecrets', () => {
  it('masks secret-named keys at any depth and in arrays, keeps an empty one visible', () => {
    expect(
      maskSecrets({
        mysql: { password: 'p', user: 'root' },
        redis: { local: { password: '' } },
        peers: [{ siteId: 'a', secret: 's' }],
        x: { apiToken: 't', clientSecret: 'c', secretHeader: 'x-h', secretParam: 'k' },
      }),
    ).toEqual({
      mysql: { password: MASK, user: 'root' },
      redis: { local: { password: '' } },
      peers: [{ siteId: 'a', secret: MASK }],
      x: { apiToken: MASK, clientSecret: MASK, secretHeader: 'x-h', secretParam: 'k' },
    });
  });

  it('masks the password of a URL and leaves other URLs alone', () => {
    expect(maskSecrets({ url: 'http://u:pw@h:1/p?q=1' })).toEqual({ url: `http://u:${MASK}@h:1/p?q=1` });
    expect(maskSecrets({ url: 'http://h:1/p@x' })).toEqual({ url: 'http://h:1/p@x' });
  });
});
