import { requestJson } from './http';

/** What the pages need to know about where the platform runs, from user-management at start. */
export interface WebConfig {
  /** The media plane's HTTP API (video-streaming-server): tokens, heartbeats, recordings, avatars. */
  mediaApiUrl: string;
}

let loaded: Promise<WebConfig> | undefined;

/**
 * The served app asks user-management (`GET /v1/web-config`); the dev server proxies the media
 * plane, so a failed lookup falls back to this page's own origin.
 */
export function webConfig(): Promise<WebConfig> {
  loaded ??= requestJson<WebConfig>('/v1/web-config').then(
    (c) => ({ mediaApiUrl: c.mediaApiUrl.replace(/\/+$/, '') }),
    () => ({ mediaApiUrl: '' }),
  );
  return loaded;
}

/** A URL on the media plane's API. */
export async function mediaUrl(path: string): Promise<string> {
  return `${(await webConfig()).mediaApiUrl}${path}`;
}
