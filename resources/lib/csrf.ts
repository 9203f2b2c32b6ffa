import { router, useForm, usePage } from '@inertiajs/vue3'
import type { FormDataType, RequestPayload, VisitOptions } from '@inertiajs/core'

/**
 * Shield's XSRF cookie is off, so every write carries the token in its body as `_csrf`. The
 * token is read when the request leaves, not when the form was made: it changes at sign-in.
 */
export function csrfToken(): string {
  return String(usePage().props.csrfToken ?? '')
}

export function withCsrf<T extends object>(data?: T): T & { _csrf: string } {
  return { ...(data ?? ({} as T)), _csrf: csrfToken() }
}

/**
 * useForm whose submissions always include the current CSRF token; `map` shapes the payload
 * (e.g. send only the fields that apply).
 */
export function useCsrfForm<T extends FormDataType<T>>(data: T, map?: (values: T) => object) {
  const form = useForm<T>(data as never)
  form.transform((values) => withCsrf(map ? map(values as T) : (values as object)) as never)
  return form
}

type WriteOptions = Omit<VisitOptions, 'method' | 'data'>

export function post(url: string, data: RequestPayload = {}, options: WriteOptions = {}) {
  router.post(url, withCsrf(data as object) as RequestPayload, options)
}

export function put(url: string, data: RequestPayload = {}, options: WriteOptions = {}) {
  router.put(url, withCsrf(data as object) as RequestPayload, options)
}

export function destroy(url: string, options: WriteOptions = {}) {
  router.delete(url, { ...options, data: withCsrf({}) })
}
