import { DomainErrorCode } from '@app/errors';

// The one mapping from domain error codes to HTTP statuses. Adding a code without mapping it
// fails to compile (assertUnreachable).
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
