// Services throw DomainError with a code; transports decide what a code means to their callers
// (libs/http maps codes to HTTP statuses in one place; a queue worker decides whether to retry).
// Nothing here knows about HTTP, so services, workers and the agent share the same errors.
export enum DomainErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Gone = 'GONE',
  RateLimited = 'RATE_LIMITED',
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
}

export interface DomainErrorDetails {
  /**
   * A machine-readable reason within the code (`too_early`, `consent_required`, …), so a client can
   * show the right message without parsing `message`. snake_case, stable once published.
   */
  reason?: string;
  /** For RateLimited and DependencyUnavailable: when trying again makes sense. */
  retryAfterSeconds?: number;
  /** For a vendor-backed feature that cannot answer: what the client shows instead (`orb`, `captions`). */
  fallback?: string;
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: DomainErrorDetails,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get reason(): string | undefined {
    return this.details?.reason;
  }
}
