/**
 * One typed error hierarchy for everything a caller can get wrong; mapped to HTTP in one place
 * (`toErrorResponse` in http.ts). Anything that is not an HttpError is a 500 with an opaque body.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, details?: unknown, code = 'bad_request') {
    super(400, code, message, details);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message = 'Missing or invalid credentials.', code = 'unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found.', code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', `Request body exceeds ${limitBytes} bytes.`);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(expected: string) {
    super(415, 'unsupported_media_type', `Content-Type must be ${expected}.`);
  }
}

export class GoneError extends HttpError {
  constructor(message: string, details?: unknown, code = 'gone') {
    super(410, code, message, details);
  }
}

/** A downstream dependency failed; the caller should retry. */
export class ServiceUnavailableError extends HttpError {
  constructor(message = 'Temporarily unavailable, retry later.') {
    super(503, 'unavailable', message);
  }
}
