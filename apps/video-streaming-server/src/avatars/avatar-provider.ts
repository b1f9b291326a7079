import type { AvatarVendorName } from './avatars.env';

/** A WebRTC ICE server as RTCPeerConnection takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/**
 * What a browser needs to start one avatar session with a vendor: a short-lived session token
 * (never the vendor key), when it stops being accepted, and the vendor's public connection details.
 */
export interface AvatarSessionGrant {
  vendor: AvatarVendorName;
  token: string;
  /** Epoch ms after which the vendor refuses new connections with this token. */
  expiresAt: number;
  iceServers?: IceServer[];
  /** Vendor-specific public fields (face id, app id, WebSocket URL…): nothing secret. */
  details: Record<string, string | number | boolean>;
}

/**
 * R-A2: one avatar vendor behind one interface. createSession() asks the vendor's session-token API
 * with the server-side key; the pool, capacity, timeout and circuit breaker around it are the
 * lane's (AvatarVendorLane), so adapters stay plain HTTP translations of the vendor's documented API.
 */
export interface AvatarProvider {
  readonly vendor: AvatarVendorName;
  /** Mints one session grant. `signal` aborts the vendor call (the lane's timeout). */
  createSession(signal: AbortSignal): Promise<AvatarSessionGrant>;
}

/** The vendor answered, but not with a usable token (status, rate limit, malformed body). */
export class AvatarVendorError extends Error {
  constructor(
    readonly vendor: AvatarVendorName,
    /** For metrics and logs: http_5xx, http_4xx, rate_limited, malformed, network. */
    readonly kind: 'http_5xx' | 'http_4xx' | 'rate_limited' | 'malformed' | 'network',
    message: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AvatarVendorError';
  }
}

/** The Retry-After header in seconds (delta form only), when a vendor sent one. */
export function retryAfterOf(response: Response): number | undefined {
  const value = Number(response.headers.get('retry-after'));
  return Number.isFinite(value) && value >= 0 ? Math.min(Math.ceil(value), 3600) : undefined;
}

/** Classifies a non-2xx vendor answer. The body is never kept: vendors may echo what was sent. */
export function vendorHttpError(vendor: AvatarVendorName, operation: string, response: Response): AvatarVendorError {
  const { status } = response;
  const kind = status === 429 ? 'rate_limited' : status >= 500 ? 'http_5xx' : 'http_4xx';
  return new AvatarVendorError(
    vendor,
    kind,
    `${vendor} ${operation} answered ${status}`,
    status,
    status === 429 ? retryAfterOf(response) : undefined,
  );
}

/** fetch() with the vendor's name on network failures (the message never carries headers). */
export async function vendorFetch(
  vendor: AvatarVendorName,
  operation: string,
  url: string,
  init: RequestInit,
): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if ((init.signal as AbortSignal | undefined)?.aborted) throw err; // the lane's timeout: let it say so
    throw new AvatarVendorError(vendor, 'network', `${vendor} ${operation} unreachable: ${(err as Error).message}`);
  }
}

/** Reads a JSON body of at most `limit` bytes; anything else is a malformed answer. */
export async function vendorJson(
  vendor: AvatarVendorName,
  operation: string,
  response: Response,
  limit = 64 * 1024,
): Promise<unknown> {
  const text = await response.text();
  if (text.length > limit) throw new AvatarVendorError(vendor, 'malformed', `${vendor} ${operation}: body too large`);
  try {
    return JSON.parse(text);
  } catch {
    throw new AvatarVendorError(vendor, 'malformed', `${vendor} ${operation}: the body is not JSON`);
  }
}
