import type { HttpContext } from '@adonisjs/core/http'
import OpenRecording from '#actions/recordings/open_recording'

/**
 * A call's recording, decrypted on the fly. No Range support: GCM proves integrity only over the
 * whole file, so every response is the whole recording, checked at its end; a file that fails
 * the check ends the response early (500 before the first byte, else a cut connection).
 */
export default class RecordingsController {
  async show(ctx: HttpContext) {
    const download = ['1', 'true'].includes(String(ctx.request.qs().download ?? ''))
    const { call, recording, stream } = await new OpenRecording().handle(
      ctx,
      ctx.params.id,
      download ? 'download' : 'play'
    )
    const fileName = `call-${call.uuid}.wav`
    ctx.response.header('content-type', 'audio/wav')
    ctx.response.header('content-length', String(recording.bytes))
    ctx.response.header('accept-ranges', 'none')
    ctx.response.header('cache-control', 'no-store, private')
    ctx.response.header('x-content-type-options', 'nosniff')
    ctx.response.header(
      'content-disposition',
      `${download ? 'attachment' : 'inline'}; filename="${fileName}"`
    )
    // Failed before the first byte (a small file, a missing key): a plain 500 instead.
    ctx.response.stream(stream, () => {
      ctx.response.removeHeader('content-length')
      ctx.response.removeHeader('content-disposition')
      return [ctx.i18n.t('messages.recordings.integrity_failed'), 500]
    })
  }
}
