import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../http/api-error.ts';
import { grantFor, tokenStatus, type Minter } from './token-rules.ts';

const now = 1_800_000_000_000;
const admin: Minter = { isAdmin: true, canCreateTokens: false, expiresAt: null };
const plain: Minter = { isAdmin: false, canCreateTokens: false, expiresAt: null };
const minting: Minter = { isAdmin: false, canCreateTokens: true, expiresAt: now + 60_000 };

function refusal(grant: () => unknown): { status: number; code: number; message: string } {
  try {
    grant();
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return { status: error.status, code: error.code, message: error.message };
  }
  assert.fail('expected a refusal');
}

describe('tokenStatus', () => {
  it('is revoked once revoked, else expired from its expiry on, else active', () => {
    assert.equal(tokenStatus({ expiresAt: null, revokedAt: null }, now), 'active');
    assert.equal(tokenStatus({ expiresAt: now + 1, revokedAt: null }, now), 'active');
    assert.equal(tokenStatus({ expiresAt: now, revokedAt: null }, now), 'expired');
    assert.equal(tokenStatus({ expiresAt: now - 1, revokedAt: now - 2 }, now), 'revoked');
  });
});

describe('grantFor', () => {
  it('refuses a token that may not mint, whatever it asks for', () => {
    for (const canCreateTokens of [false, true]) {
      const refused = refusal(() => grantFor(plain, { canCreateTokens, expiresAt: null }, now));
      assert.equal(refused.status, 403);
      assert.equal(refused.code, 10000);
      assert.match(refused.message, /may not create tokens.*"can_create_tokens": true/);
    }
  });

  it('lets the administrator token and minting tokens pass mint permission on', () => {
    assert.deepEqual(grantFor(admin, { canCreateTokens: true, expiresAt: null }, now), { canCreateTokens: true, expiresAt: null });
    assert.deepEqual(grantFor(minting, { canCreateTokens: true, expiresAt: now + 1000 }, now), { canCreateTokens: true, expiresAt: now + 1000 });
    assert.deepEqual(grantFor(minting, { canCreateTokens: false, expiresAt: now + 1000 }, now), { canCreateTokens: false, expiresAt: now + 1000 });
  });

  it('gives a token asking for no expiry the expiry of its minter', () => {
    assert.deepEqual(grantFor(minting, { canCreateTokens: false, expiresAt: null }, now), { canCreateTokens: false, expiresAt: minting.expiresAt });
  });

  it('refuses an expiry later than the minter\'s, or not in the future', () => {
    const later = refusal(() => grantFor(minting, { canCreateTokens: false, expiresAt: now + 60_001 }, now));
    assert.equal(later.status, 400);
    assert.equal(later.code, 10001);
    assert.match(later.message, /later than the expiry of the token creating it \(2027-01-15T08:01:00\.000Z\)/);
    assert.equal(grantFor(minting, { canCreateTokens: false, expiresAt: now + 60_000 }, now).expiresAt, now + 60_000);
    const past = refusal(() => grantFor(admin, { canCreateTokens: false, expiresAt: now }, now));
    assert.equal(past.status, 400);
    assert.match(past.message, /is not in the future/);
  });
});
