import type { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import OpenRecording from '#actions/recordings/open_recording'

function mode(ctx: HttpContext) {
  return ['1', 'true'].includes(String(ctx.request.qs().download ?? '')) ? 'download' : 'play'
}

/**
 * Sends decrypted audio. No Range support: GCM proves integrity only over the whole file, so
 * every response is the whole recording, checked at its end; a file that fails the check ends
 * the response early (500 before the first byte, else a cut connection). Shared by voicemails.
 */
export function sendAudio(
  ctx: HttpContext,
  audio: { stream: Readable; bytes: number; fileName: string; download: boolean }
) {
  ctx.response.header('content-type', 'audio/wav')
  ctx.response.header('content-length', String(audio.bytes))
  ctx.response.header('accept-ranges', 'none')
  ctx.response.header('cache-control', 'no-store, private')
  ctx.response.header('x-content-type-options', 'nosniff')
  ctx.response.header(
    'content-disposition',
    `${audio.download ? 'attachment' : 'inline'}; filename="${audio.fileName}"`
  )
  // Failed before the first byte (a small file, a missing key): a plain 500 instead.
  ctx.response.stream(audio.stream, () => {
    ctx.response.removeHeader('content-length')
    ctx.response.removeHeader('content-disposition')
    return [ctx.i18n.t('messages.recordings.integrity_failed'), 500]
  })
}

/** A call's recordings, decrypted on the fly; `?download=1` for an attachment. */
export default class RecordingsController {
  /** The call's latest recording. */
  async show(ctx: HttpContext) {
    const how = mode(ctx)
    const { call, recording, stream } = await new OpenRecording().handle(ctx, ctx.params.id, how)
    sendAudio(ctx, {
      stream,
      bytes: recording.bytes,
      fileName: `call-${call.uuid}.wav`,
      download: how === 'download',
    })
  }

  /** One recording of a call by its id (a transferred call has one per agent leg). */
  async showById(ctx: HttpContext) {
    const how = mode(ctx)
    const { call, recording, stream } = await new OpenRecording().handleById(
      ctx,
      Number(ctx.params.id),
      how
    )
    sendAudio(ctx, {
      stream,
      bytes: recording.bytes,
      fileName: `call-${call.uuid}-${recording.id}.wav`,
      download: how === 'download',
    })
  }
}
