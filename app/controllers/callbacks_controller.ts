import type { HttpContext } from '@adonisjs/core/http'
import CallbackRequest from '#models/callback_request'
import Queue from '#models/queue'
import CancelCallbackRequest from '#actions/callbacks/cancel_callback_request'
import CallbackPolicy from '#policies/callback_policy'
import CallbackRequestTransformer from '#transformers/callback_request_transformer'
import { changed, renderPage } from '#transformers/page_or_json'
import { telephonyMessages } from '#validators/telephony'
import { callbackListValidator } from '#validators/voicemails'

/**
 * Callback requests (回拨): open ones first (pending, or being dialled), then by the caller's place
 * in the queue (when they first entered it), filtered by queue and status on the server.
 * Supervisors cancel pending ones.
 */
export default class CallbacksController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(CallbackPolicy).authorize('view')
    const q = await callbackListValidator.validate(ctx.request.qs(), {
      messagesProvider: telephonyMessages(ctx),
    })
    const query = CallbackRequest.query().preload('queue').preload('handler').preload('call')
    if (q.queueId) query.where('queue_id', q.queueId)
    if (q.status) query.where('status', q.status)
    query
      // Open requests (waiting, or being dialled now) first.
      .orderByRaw(`case when status in ('pending', 'dialing') then 0 else 1 end`)
      .orderBy('entered_at', 'asc')
      .orderBy('id', 'asc')
    const page = await query.paginate(q.page ?? 1, q.perPage ?? 50)
    const queues = await Queue.query().select('id', 'name').orderBy('name')
    return renderPage(ctx, 'callbacks/index', {
      callbacks: CallbackRequestTransformer.transform(page.all()),
      meta: page.getMeta(),
      filters: q,
      queues: queues.map((x) => ({ id: x.id, name: x.name })),
      canCancel: await ctx.bouncer.with(CallbackPolicy).allows('cancel'),
    })
  }

  async cancel(ctx: HttpContext) {
    await ctx.bouncer.with(CallbackPolicy).authorize('cancel')
    const request = await new CancelCallbackRequest().handle(ctx, Number(ctx.params.id))
    await request.load('queue')
    await request.load('handler')
    await request.load('call')
    return changed(ctx, {
      flash: 'callbacks.cancelled',
      body: { callback: CallbackRequestTransformer.transform(request) },
    })
  }
}
