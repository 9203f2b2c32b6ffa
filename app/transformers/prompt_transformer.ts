import { BaseTransformer } from '@adonisjs/core/transformers'
import type Prompt from '#models/prompt'

/** A prompt as the prompts page and the IVR editor show it; never its file path. */
export default class PromptTransformer extends BaseTransformer<Prompt> {
  toObject() {
    const p = this.resource
    return {
      id: p.id,
      name: p.name,
      kind: p.kind,
      sound: p.kind === 'builtin' ? p.sound : null,
      durationMs: p.durationMs,
      hasAudio: p.kind === 'upload' && p.filePath !== null,
      updatedAt: p.updatedAt.toISO(),
    }
  }
}
