import { DomainError, DomainErrorCode } from '@app/errors';
import { ServerError } from 'livekit-server-sdk';

/**
 * R-L3: runs a LiveKit server API call; when LiveKit cannot be reached (refused, timed out, 5xx)
 * the caller gets a DomainError that becomes 503 with a clear message instead of a 500.
 */
export async function callLiveKit<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ServerError && err.status < 500) throw err;
    throw new DomainError(
      DomainErrorCode.DependencyUnavailable,
      `LiveKit is unreachable, so ${what} is unavailable right now; try again shortly`,
    );
  }
}
