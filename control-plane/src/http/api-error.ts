import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one error type of the API. `code` is Cloudflare's numeric error code where Cloudflare has
 * one for the situation; `message` says what the caller should change.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: number;
  readonly pointer?: string;

  constructor(status: ContentfulStatusCode, code: number, message: string, pointer?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.pointer = pointer;
  }
}

export const errors = {
  badRequest: (message: string, code = 10001, pointer?: string) => new ApiError(400, code, message, pointer),
  unauthenticated: (message = 'Authentication error: send a valid API token as "Authorization: Bearer <token>".') =>
    new ApiError(401, 10000, message),
  forbidden: (message = 'Authentication error: this token is not allowed to access the requested account.') =>
    new ApiError(403, 10000, message),
  notFound: (code: number, message: string) => new ApiError(404, code, message),
  conflict: (code: number, message: string) => new ApiError(409, code, message),
  tooLarge: (code: number, message: string) => new ApiError(413, code, message),
};
