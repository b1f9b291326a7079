// Services throw DomainError with a code; the global exception filter is the one place that turns
// codes into HTTP statuses. Adding a code without mapping it fails to compile (see httpStatusFor).
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

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function httpStatusFor(code: DomainErrorCode): number {
  switch (code) {
    case DomainErrorCode.ValidationFailed:
      return 400;
    case DomainErrorCode.Unauthenticated:
      return 401;
    case DomainErrorCode.Forbidden:
      return 403;
    case DomainErrorCode.NotFound:
      return 404;
    case DomainErrorCode.Conflict:
      return 409;
    case DomainErrorCode.Gone:
      return 410;
    case DomainErrorCode.RateLimited:
      return 429;
    case DomainErrorCode.DependencyUnavailable:
      return 503;
    default:
      return assertUnreachable(code);
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unmapped domain error code: ${String(value)}`);
}
