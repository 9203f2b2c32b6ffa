import type { Readable } from 'node:stream'
import type { HttpContext } from '@adonisjs/core/http'
import logger from '@adonisjs/core/services/logger'
import { AuthorizationResponse, errors as bouncerErrors } from '@adonisjs/bouncer'
import Call from '#models/call'
import Recording from '#models/recording'
import TelephonyPolicy from '#policies/telephony_policy'
import DomainError from '#exceptions/domain_error'
import audit, { type AuditEntryInput } from '#services/audit_service'
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

type Who = Pick<AuditEntryInput, 'actor' | 'ipAddress' | 'userAgent'>

/**
 * Decrypts a sealed recording (call or voicemail) as a stream. A vault file that fails its
 * integrity check is logged and audited as `<auditPrefix>.integrity_failed` when the stream finds
 * out (at the start for a small file, at the end for a large one).
 */
export async function openSealed(
  vault: RecordingVault,
  recording: Recording,
  context: { who: Who; target: AuditEntryInput['target']; auditPrefix: string; mode: string }
): Promise<Readable> {
  const { who, target, auditPrefix, mode } = context
  const integrityFailed = async (error: RecordingIntegrityError) => {
    logger.error({ target, recordingId: recording.id }, error.message)
    await audit.record({
      ...who,
      action: `${auditPrefix}.integrity_failed`,
      target,
      after: { recordingId: recording.id, reason: error.reason, mode },
    })
  }
  let stream: Readable
  try {
    stream = vault.open(recording)
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
      logger.error({ target, recordingId: recording.id, err: error }, 'recording')
    }
  })
  return stream
}

/**
 * A permitted user opens a call's recording to play or download it: the call's latest one
 * (`handle`, by the call's uuid) or a given one (`handleById`: a transferred call has one per
 * agent leg). Allowed with 'recordings.listen' on a call the user may see (the call detail's team
 * scope); every attempt, refused or not, is audited with the call's id. Voicemail audio is not
 * served here (its own rules: OpenVoicemail).
 */
export default class OpenRecording {
  constructor(private vault: RecordingVault = recordingVault()) {}

  async handle(ctx: HttpContext, callUuid: string, mode: 'play' | 'download') {
    const call = await Call.query().where('uuid', callUuid).preload('agent').firstOrFail()
    await this.#authorize(ctx, call, mode, null)
    const recordings = await Recording.query()
      .where('call_id', call.id)
      .where('kind', 'call')
      .orderBy('id', 'desc')
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
    return this.#open(ctx, call, recording, mode)
  }

  async handleById(ctx: HttpContext, recordingId: number, mode: 'play' | 'download') {
    const recording = await Recording.query()
      .where('id', recordingId)
      .where('kind', 'call')
      .firstOrFail()
    const call = await Call.query().where('id', recording.callId).preload('agent').firstOrFail()
    await this.#authorize(ctx, call, mode, recording.id)
    if (recording.deletedAt) throw new DomainError('recordings.deleted', 'recording', {}, 410)
    if (!recording.encrypted) {
      throw new DomainError('recordings.not_available', 'recording', {}, 404)
    }
    return this.#open(ctx, call, recording, mode)
  }

  async #authorize(ctx: HttpContext, call: Call, mode: string, recordingId: number | null) {
    const policy = ctx.bouncer.with(TelephonyPolicy)
    const allowed =
      (await policy.allows('listenRecordings')) &&
      (await policy.allows('viewCall', call, call.agent?.teamId ?? null))
    if (allowed) return
    await audit.record({
      ...audit.fromRequest(ctx),
      action: 'recording.access_denied',
      target: { type: 'call', id: call.uuid, label: null },
      after: recordingId === null ? { mode } : { mode, recordingId },
    })
    throw new bouncerErrors.E_AUTHORIZATION_FAILURE(AuthorizationResponse.deny())
  }

  async #open(ctx: HttpContext, call: Call, recording: Recording, mode: 'play' | 'download') {
    const who = audit.fromRequest(ctx)
    const target = { type: 'call', id: call.uuid, label: null }
    await audit.record({
      ...who,
      action: mode === 'download' ? 'recording.downloaded' : 'recording.played',
      target,
      after: { recordingId: recording.id },
    })
    const stream = await openSealed(this.vault, recording, {
      who,
      target,
      auditPrefix: 'recording',
      mode,
    })
    return { call, recording, stream } satisfies OpenedRecording
  }
}
