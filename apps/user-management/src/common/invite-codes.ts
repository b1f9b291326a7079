import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// An invite code is `<row id>.<secret>` (an interview, or a candidate's place in a meeting): the id
// finds the row, the secret proves possession.
// Only the secret's SHA-256 is stored (a 256-bit random secret needs no slow hash).
export function newInviteSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashInviteSecret(secret) };
}

export function hashInviteSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function inviteSecretMatches(secret: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(secret).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function splitInviteCode(code: string): { id: string; secret: string } {
  const dot = code.indexOf('.');
  return { id: code.slice(0, dot), secret: code.slice(dot + 1) };
}
