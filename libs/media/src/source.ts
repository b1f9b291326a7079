// A track's source is a local path or an http(s) URL (a presigned object-store URL). ffmpeg takes
// both in one string and would also honour any other protocol prefix (`concat:`, `tcp://`,
// `subfile,,…`), so a source is classified here and everything else is refused.

export type SourceKind = 'file' | 'http';

const PROTOCOL = /^([a-z][a-z0-9+.-]*):/i;

export function sourceKind(source: string): SourceKind | undefined {
  const protocol = PROTOCOL.exec(source)?.[1]?.toLowerCase();
  if (protocol === undefined) return source.length > 0 ? 'file' : undefined;
  if (protocol === 'http' || protocol === 'https') return 'http';
  return undefined;
}

/**
 * The string to hand ffmpeg: local paths get `file:` so a file named like a protocol stays a file.
 * Throws on a source that is neither a path nor an http(s) URL.
 */
export function ffmpegUrl(source: string): string {
  const kind = sourceKind(source);
  if (kind === undefined) throw new Error(`unsupported track source ${JSON.stringify(redactUrls(source))}`);
  return kind === 'file' ? `file:${source}` : source;
}

/**
 * Input options per source kind. Protocols are whitelisted so a file that probes as a playlist
 * (HLS, ffconcat) cannot make ffmpeg open other files or hosts. Over http, ffmpeg reconnects
 * after a dropped connection instead of ending the track early, and gives up on a stalled read.
 */
export function sourceInputOptions(source: string): string[] {
  if (sourceKind(source) === 'http') {
    return [
      '-protocol_whitelist',
      'http,https,tcp,tls',
      '-reconnect',
      '1',
      '-reconnect_on_network_error',
      '1',
      '-reconnect_delay_max',
      '10',
      '-rw_timeout',
      '30000000',
    ];
  }
  return ['-protocol_whitelist', 'file'];
}

// Presigned URLs carry their signature (and credential scope) in the query string; messages,
// logs and errors must never contain it.
// The query ends at whitespace, a quote, or the `: ` ffmpeg puts between a URL and its message.
const URL_WITH_QUERY = /\b(https?:\/\/[^\s?#'"]*)[?#][^\s'"]*?(?=:\s|:$|[\s'"]|$)/gi;

/** The text with every URL's query string and fragment removed. */
export function redactUrls(text: string): string {
  return text.replace(URL_WITH_QUERY, '$1');
}

/** A short name for a source in messages: a path as given, a URL without its query. */
export function describeSource(source: string): string {
  return redactUrls(source);
}
