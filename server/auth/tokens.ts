import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer secrets: 256 random bits in base64url behind a prefix that says what they are
 * (`wfs_` session token, `wfk_` API key, ADM-3). Only their sha256 is stored: with this much
 * entropy a slow hash adds nothing, and a lookup by hash is one index probe per request.
 */
export const SESSION_TOKEN_PREFIX = 'wfs_';
export const API_KEY_PREFIX = 'wfk_';

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** What lists and logs may show of a key: its prefix and first characters. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, 12);
}

const SECRET_PATTERN = /^wf[sk]_[A-Za-z0-9_-]{43}$/;

/** A bearer value that cannot be a token of ours is refused without a database lookup. */
export function looksLikeSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}
