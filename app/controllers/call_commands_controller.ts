import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Call from '#models/call'
import RequestCallCommand from '#actions/calls/request_call_command'
import LiveCallTransformer from '#transformers/live_call_transformer'
import { jsonBody } from '#transformers/page_or_json'
import { callControlOptions, isOnHold } from '#services/call_control'

/**
 * In-call control from the web (保持, 转接): hold, resume and blind transfer of a live call, and
 * the signed-in agent's own live call so their page can show the controls.
 */
export default class CallCommandsController {
  /**
   * `{ status, result, message }`: 200 when the phone system did it; 409 when it refused (the
   * call moved on meanwhile); 504 when it did not answer in time (the request was withdrawn).
   * Refusals before anything is written keep the usual `{ errors }` shape (403, 404, 409, 422).
   */
  @inject()
  async store(ctx: HttpContext, requestCommand: RequestCallCommand) {
    const outcome = await requestCommand.handle(ctx, ctx.params.uuid, ctx.request.body())
    const status = outcome.status === 'done' ? 200 : outcome.result === 'timeout' ? 504 : 409
    return jsonBody(
      ctx,
      { status: outcome.status, result: outcome.result, message: outcome.message },
      status
    )
  }

  /** The agent's call in a conversation now, with what the transfer dialog offers; or nulls. */
  async mine(ctx: HttpContext) {
    const user = ctx.auth.getUserOrFail()
    const call = await Call.query()
      .where('agent_id', user.id)
      .where('state', 'bridged')
      .preload('queue')
      .orderBy('answered_at', 'desc')
      .orderBy('id', 'desc')
      .first()
    if (!call) return jsonBody(ctx, { call: null, options: null })
    return jsonBody(ctx, {
      call: LiveCallTransformer.transform(call, await isOnHold(call.id)),
      options: await callControlOptions(call.agentId),
    })
  }
}
