import type { HttpContext } from '@adonisjs/core/http'
import { BaseSerializer } from '@adonisjs/core/transformers'

class PlainSerializer extends BaseSerializer<{
  Wrap: undefined
  PaginationMetaData: Record<string, any>
}> {
  wrap = undefined
  definePaginationMetaData(metaData: unknown) {
    return metaData as Record<string, any>
  }
}

const serializer = new PlainSerializer()

/** A JSON client (not an Inertia visit) asked for this response. */
export function wantsJson(ctx: HttpContext) {
  return ctx.request.accepts(['html', 'json']) === 'json' && !ctx.request.header('x-inertia')
}

/**
 * The same props either as an Inertia page or, for `Accept: application/json`, as plain JSON,
 * so tests, scripts and the pages share one shape.
 */
export async function renderPage(ctx: HttpContext, page: string, props: Record<string, any>) {
  if (wantsJson(ctx)) {
    return ctx.response.json(await serializer.serialize(props as any, ctx.containerResolver))
  }
  // The Vue pages for the calls configuration come later; until they exist the page name is not
  // among the generated InertiaPages keys.
  return ctx.inertia.render(page as never, props as never)
}

/**
 * After a change: JSON clients get `body` (status 200/201/204), browsers the flash and a
 * redirect to `path` (or back).
 */
export async function changed(
  ctx: HttpContext,
  options: {
    flash: string
    path?: string
    status?: number
    body?: Record<string, any>
  }
) {
  if (wantsJson(ctx)) {
    if (!options.body) return ctx.response.status(options.status ?? 204).send('')
    const body = await serializer.serialize(options.body as any, ctx.containerResolver)
    return ctx.response.status(options.status ?? 200).json(body)
  }
  ctx.session.flash('success', options.flash)
  if (options.path) return ctx.response.redirect().toPath(options.path)
  return ctx.response.redirect().back()
}

/** A JSON-only endpoint's answer, serialized like the pages' props (transformers resolved). */
export async function jsonBody(ctx: HttpContext, body: Record<string, any>, status = 200) {
  const serialized = await serializer.serialize(body as any, ctx.containerResolver)
  return ctx.response.status(status).json(serialized)
}
