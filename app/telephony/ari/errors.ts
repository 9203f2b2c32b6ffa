/*
| Errors of the ARI client. Callers branch on `status` (404: the channel is already gone, 409: it is
| not in Stasis or in the wrong state, 422: the request was refused as malformed) rather than on
| message text.
*/

export class AriError extends Error {
  readonly method: string
  readonly path: string

  constructor(message: string, method: string, path: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AriError'
    this.method = method
    this.path = path
  }
}

/** Asterisk answered, with a status outside 2xx. */
export class AriHttpError extends AriError {
  readonly status: number
  /** ARI's JSON body (usually `{ message }`), or the raw text when it was not JSON. */
  readonly body: unknown

  constructor(method: string, path: string, status: number, body: unknown) {
    const detail =
      body && typeof body === 'object' && 'message' in body ? String(body.message) : String(body)
    super(`ARI ${method} ${path} failed with ${status}: ${detail}`, method, path)
    this.name = 'AriHttpError'
    this.status = status
    this.body = body
  }
}

/** Asterisk could not be reached or did not answer in time: worth a retry, not a bug report. */
export class AriTransportError extends AriError {
  constructor(method: string, path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`ARI ${method} ${path} did not complete: ${reason}`, method, path, { cause })
    this.name = 'AriTransportError'
  }
}

/** True for a 404: the usual race of acting on a channel that has just hung up. */
export function isAriNotFound(error: unknown): boolean {
  return error instanceof AriHttpError && error.status === 404
}
