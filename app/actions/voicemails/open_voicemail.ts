import { DateTime } from 'luxon'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { AuthorizationResponse, errors as bouncerErrors } from '@adonisjs/bouncer'
import Voicemail from '#models/voicemail'
import Recording from '#models/recording'
import VoicemailPolicy from '#policies/voicemail_policy'
import DomainError from '#exceptions/domain_error'
import audit from '#services/audit_service'
import { sqlTime, affectedRows } from '#services/db_time'
import { openSealed } from '#actions/recordings/open_recording'
import { recordingVault, type RecordingVault } from '#services/recording_vault'

/**
 * A user plays (or downloads) a voicemail: allowed by VoicemailPolicy (all / their team's agents'
 * / their own); every refusal is audited as `voicemail.access_denied`. The first play marks it
 * listened (by whom, when) in the same transaction as its `voicemail.played` audit entry; the
 * audio comes decrypted from the recordings vault like a call recording.
 */
export default class OpenVoicemail {
  constructor(private vault: RecordingVault = recordingVault()) {}

  async handle(ctx: HttpContext, voicemailId: number, mode: 'play' | 'download') {
    const voicemail = await Voicemail.query()
      .where('id', voicemailId)
      .preload('agent')
      .preload('call')
      .firstOrFail()
    const who = audit.fromRequest(ctx)
    const target = { type: 'voicemail', id: voicemail.id, label: null }
    const allowed = await ctx.bouncer
      .with(VoicemailPolicy)
      .allows('listen', voicemail, voicemail.agent?.teamId ?? null)
    if (!allowed) {
      await audit.record({ ...who, action: 'voicemail.access_denied', target, after: { mode } })
      throw new bouncerErrors.E_AUTHORIZATION_FAILURE(AuthorizationResponse.deny())
    }

    const recording = voicemail.recordingId
      ? await Recording.query()
          .where('id', voicemail.recordingId)
          .where('kind', 'voicemail')
          .first()
      : null
    if (recording?.deletedAt) throw new DomainError('voicemails.deleted', 'voicemail', {}, 410)
    if (!recording?.encrypted) {
      throw new DomainError('voicemails.not_available', 'voicemail', {}, 404)
    }

    const actor = ctx.auth.getUserOrFail()
    const firstListen = await db.transaction(async (trx) => {
      // Conditional: of two first plays at once, one marks it.
      const updated = await trx
        .from('voicemails')
        .where('id', voicemail.id)
        .whereNull('listened_at')
        .update({ listened_by: actor.id, listened_at: sqlTime(DateTime.utc()) })
      const first = affectedRows(updated) > 0
      await audit.record({
        ...who,
        trx,
        action: mode === 'download' ? 'voicemail.downloaded' : 'voicemail.played',
        target,
        after: {
          recordingId: recording.id,
          callId: voicemail.call?.uuid ?? null,
          firstListen: first,
        },
      })
      return first
    })

    const stream = await openSealed(this.vault, recording, {
      who,
      target,
      auditPrefix: 'voicemail',
      mode,
    })
    return { voicemail, recording, stream, firstListen }
  }
}
