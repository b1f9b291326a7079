// The one place the web app calls Parley's HTTP APIs: JSON in and out, no cookies, no referrer,
// and every failure turned into an ApiError with the API's status, code and message. Nothing here
// logs a request body: invite codes and tokens travel in bodies and headers only.

/** A failed request, with the API's status, code, reason and message when it gave them. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly reason?: string,
    /** The feature's fallback when a vendor-backed feature is unavailable (body `fallback`). */
    readonly fallback?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** No answer at all (network down, server not running) or a server fault. */
  get unavailable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** A bearer token (staff access token or telemetry JWT). */
  token?: string;
  signal?: AbortSignal;
}

export async function requestJson<T>(url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
      headers,
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'Parley cannot be reached right now. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const p = (payload ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const message = Array.isArray(p.message) ? p.message.join('; ') : str(p.message);
    throw new ApiError(
      response.status,
      message ?? `request failed (${response.status})`,
      str(p.code),
      str(p.reason),
      str(p.fallback) ?? response.headers.get('x-parley-fallback') ?? undefined,
    );
  }
  return payload as T;
}

/** A sentence from an API message: capitalised, with a full stop. */
export function sentence(text: string): string {
  const t = text.trim();
  return t ? `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : '';
}

/** What to tell a user about any failed request, with the cases every page shares. */
export function describeError(err: unknown, notFound = 'It may have been removed, or the link is wrong.'): string {
  if (!(err instanceof ApiError)) return 'Something went wrong. Please reload the page and try again.';
  if (err.unavailable) return 'The service is unavailable right now. Please try again in a few minutes.';
  if (err.status === 404) return `Not found. ${notFound}`;
  if (err.status === 401) return 'Your session has ended. Please sign in again.';
  if (err.status === 403) return 'You do not have access to this.';
  return sentence(err.message);
}
