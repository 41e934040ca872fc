import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TokenSigner } from './signed-token.ts';

describe('TokenSigner', () => {
  const signer = new TokenSigner(randomBytes(32));

  it('verifies its own unexpired tokens', () => {
    assert.equal(signer.verify(signer.sign({ sid: 's1' }, 60))?.sid, 's1');
  });

  it('refuses expired, tampered and foreign tokens', () => {
    assert.equal(signer.verify(signer.sign({ sid: 's1' }, -1)), null);
    const [header, , signature] = signer.sign({ sid: 's1' }, 60).split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ sid: 'other', exp: Date.now() / 1000 + 60 })).toString('base64url');
    assert.equal(signer.verify(`${header}.${forgedPayload}.${signature}`), null);
    assert.equal(new TokenSigner(randomBytes(32)).verify(signer.sign({ sid: 's1' }, 60)), null);
    assert.equal(signer.verify('not-a-token'), null);
  });
});
