import { BaseTransformer } from '@adonisjs/core/transformers'
import type Voicemail from '#models/voicemail'

/**
 * A voicemail as the list shows it, with call, queue, agent, listener and recording preloaded.
 * `callId` is the call's public uuid; the audio is at `/voicemails/<id>/audio`.
 */
export default class VoicemailTransformer extends BaseTransformer<Voicemail> {
  toObject() {
    const v = this.resource
    const recording = v.recording ?? null
    return {
      id: v.id,
      receivedAt: v.createdAt.toISO(),
      durationMs: v.durationMs,
      callId: v.call?.uuid ?? null,
      callerNumber: v.call?.callerNumber ?? null,
      callerName: v.call?.callerName ?? null,
      queue: v.queue ? { id: v.queue.id, name: v.queue.name } : null,
      agent: v.agent ? { id: v.agent.id, fullName: v.agent.fullName } : null,
      listenedAt: v.listenedAt?.toISO() ?? null,
      listenedBy: v.listener ? { id: v.listener.id, fullName: v.listener.fullName } : null,
      hasAudio: Boolean(recording?.encrypted && !recording.deletedAt),
      deleted: Boolean(recording?.deletedAt),
    }
  }
}
