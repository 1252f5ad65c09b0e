/**
 * A domain error: a stable code for programs and a sentence a cadre
 * understands. Anything else that escapes a handler is unexpected.
 */
export class DomainError extends Error {
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Redis (or another backing service) is unreachable: tell the user to retry later. */
export class UnavailableError extends Error {
  constructor(cause?: unknown) {
    super('backing service unavailable', { cause });
    this.name = 'UnavailableError';
  }
}
