/**
 * Whether bytes start like an MP3 stream: an ID3v2 tag or an MPEG audio frame sync (11 set bits).
 * Enough to refuse a vendor's JSON error page or HTML sent with a 200, not a full parse.
 */
export function looksLikeMp3(head: Uint8Array): boolean {
  if (head.byteLength < 3) return false;
  if (head[0] === 0x49 && head[1] === 0x44 && head[2] === 0x33) return true; // "ID3"
  // Frame sync, then a version other than "reserved" (01) and a layer other than "reserved" (00).
  return head[0] === 0xff && (head[1] & 0xe0) === 0xe0 && (head[1] & 0x18) !== 0x08 && (head[1] & 0x06) !== 0;
}
