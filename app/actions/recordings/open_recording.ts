import type { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import { AuthorizationResponse, errors as bouncerErrors } from '@adonisjs/bouncer'
import Call from '#models/call'
import Recording from '#models/recording'
import TelephonyPolicy from '#policies/telephony_policy'
import DomainError from '#exceptions/domain_error'
import audit from '#services/audit_service'
import {
  recordingVault,
  RecordingIntegrityError,
  type RecordingVault,
} from '#services/recording_vault'

export interface OpenedRecording {
  call: Call
  recording: Recording
  stream: Readable
}

/**
 * A permitted user opens a call's recording to play or download it. Allowed with
 * 'recordings.listen' on a call the user may see (the call detail's team scope); every attempt,
 * refused or not, is audited with the call's id. A vault file that fails its integrity check is
 * logged and audited as `recording.integrity_failed` when the stream finds out.
 */
export default class OpenRecording {
  constructor(private vault: RecordingVault = recordingVault()) {}

  async handle(ctx: HttpContext, callUuid: string, mode: 'play' | 'download') {
    const call = await Call.query().where('uuid', callUuid).preload('agent').firstOrFail()
    const policy = ctx.bouncer.with(TelephonyPolicy)
    const allowed =
      (await policy.allows('listenRecordings')) &&
      (await policy.allows('viewCall', call, call.agent?.teamId ?? null))
    const who = audit.fromRequest(ctx)
    const target = { type: 'call', id: call.uuid, label: null }
    if (!allowed) {
      await audit.record({ ...who, action: 'recording.access_denied', target, after: { mode } })
      throw new bouncerErrors.E_AUTHORIZATION_FAILURE(AuthorizationResponse.deny())
    }

    const recordings = await Recording.query().where('call_id', call.id).orderBy('id', 'desc')
    const recording = recordings.find((r) => r.encrypted && !r.deletedAt)
    if (!recording) {
      const gone = recordings.some((r) => r.deletedAt)
      throw new DomainError(
        gone ? 'recordings.deleted' : 'recordings.not_available',
        'recording',
        {},
        gone ? 410 : 404
      )
    }
    await audit.record({
      ...who,
      action: mode === 'download' ? 'recording.downloaded' : 'recording.played',
      target,
      after: { recordingId: recording.id },
    })

    const integrityFailed = async (error: RecordingIntegrityError) => {
      logger.error({ callId: call.uuid, recordingId: recording.id }, error.message)
      await audit.record({
        ...who,
        action: 'recording.integrity_failed',
        target,
        after: { recordingId: recording.id, reason: error.reason, mode },
      })
    }
    let stream: Readable
    try {
      stream = this.vault.open(recording)
    } catch (error) {
      if (error instanceof RecordingIntegrityError) await integrityFailed(error)
      throw error
    }
    stream.on('error', (error) => {
      const failure =
        error instanceof RecordingIntegrityError
          ? error
          : (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? new RecordingIntegrityError(
                `recording ${recording.id}: vault file missing`,
                'missing_file'
              )
            : null
      if (failure) {
        integrityFailed(failure).catch((e) => logger.error(e, 'audit of an integrity failure'))
      } else if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
        logger.error({ callId: call.uuid, recordingId: recording.id, err: error }, 'recording')
      }
    })
    return { call, recording, stream } satisfies OpenedRecording
  }
}
