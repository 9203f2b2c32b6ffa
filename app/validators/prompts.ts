import vine from '@vinejs/vine'
import type { FieldContext } from '@vinejs/vine/types'
import app from '@adonisjs/core/services/app'
import { SOUND_NAME_PATTERN } from '#telephony/ivr/types'
import { PROMPT_EXTNAMES, type PromptAudioConfig } from '#services/prompt_audio'

/*
| IVR prompts (提示音). Translated through `telephonyMessages(ctx)` like the rest of the calls
| configuration. The file's size and extension are checked here; whether it really is audio,
| and how long, only ffmpeg can tell (SavePrompt).
*/

function uniqueName(client: any, value: string, field: FieldContext) {
  const query = client.from('prompts').where('name', value)
  if (field.meta.promptId) query.whereNot('id', field.meta.promptId)
  return query.first().then((row: unknown) => !row)
}

const name = () => vine.string().trim().minLength(1).maxLength(120).unique(uniqueName)
const sound = () => vine.string().trim().maxLength(255).regex(SOUND_NAME_PATTERN)

/** The size as `10mb`: it is also the `{size}` of the translated message. */
const audioFile = () =>
  vine.file(() => ({
    size: `${Math.floor(app.config.get<PromptAudioConfig>('prompts').maxBytes / 1024 / 1024)}mb`,
    extnames: PROMPT_EXTNAMES,
  }))

export const createPromptValidator = vine.withMetaData<{ promptId?: number }>().create({
  name: name(),
  kind: vine.enum(['builtin', 'upload'] as const),
  sound: sound().optional().requiredWhen('kind', '=', 'builtin'),
  file: audioFile().optional().requiredWhen('kind', '=', 'upload'),
})

/** Renames a prompt, or points a builtin one at another sound; the audio has its own route. */
export const updatePromptValidator = vine.withMetaData<{ promptId?: number }>().create({
  name: name(),
  sound: sound().optional(),
})

export const promptAudioValidator = vine.create({
  file: audioFile(),
})
