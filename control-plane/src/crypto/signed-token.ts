import { createHmac, timingSafeEqual } from 'node:crypto';

/** Compact HS256 JWTs, signed with a key of the data directory. */
export class TokenSigner {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  sign(claims: Record<string, unknown>, ttlSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const header = encode({ alg: 'HS256', typ: 'JWT' });
    const payload = encode({ ...claims, iat: now, exp: now + ttlSeconds });
    return `${header}.${payload}.${this.#signature(`${header}.${payload}`)}`;
  }

  /** The claims of a token this signer made and that has not expired, or null. */
  verify(token: string): Record<string, unknown> | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const expected = Buffer.from(this.#signature(`${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof claims.exp !== 'number' || claims.exp < Date.now() / 1000) return null;
      return claims;
    } catch {
      return null;
    }
  }

  #signature(data: string): string {
    return createHmac('sha256', this.#key).update(data).digest('base64url');
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
