import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { MultipartFile } from '@adonisjs/core/bodyparser'
import db from '@adonisjs/lucid/services/db'
import type { Infer } from '@vinejs/vine/types'
import Prompt from '#models/prompt'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import { diff, fieldErrors, flowsReferring } from '#actions/telephony_config/support'
import { PromptAudio, PromptAudioError, type ConvertedPrompt } from '#services/prompt_audio'
import type { createPromptValidator, updatePromptValidator } from '#validators/prompts'

type CreateInput = Infer<typeof createPromptValidator>
type UpdateInput = Infer<typeof updatePromptValidator>

function snapshot(prompt: Prompt) {
  return {
    name: prompt.name,
    kind: prompt.kind,
    sound: prompt.sound,
    durationMs: prompt.durationMs,
  }
}

/** What the audit keeps about an upload: enough to recognise the file, never the file. */
function uploadFacts(file: MultipartFile, converted: ConvertedPrompt) {
  return {
    sha256: converted.sha256,
    bytes: converted.bytes,
    originalName: file.clientName.slice(0, 200),
    originalBytes: file.size,
  }
}

/**
 * IVR prompts (提示音): an Asterisk sound by name, or an uploaded recording converted to what
 * Asterisk plays (PromptAudio). The conversion runs before the transaction; the row, the audit
 * entry and the file going live happen together, and a failed save leaves no file behind. A
 * prompt an IVR flow still plays cannot be deleted.
 */
@inject()
export default class SavePrompt {
  constructor(private audio: PromptAudio) {}

  async create(ctx: HttpContext, input: CreateInput) {
    if (input.kind === 'builtin') {
      return db.transaction(async (trx) => {
        const prompt = await Prompt.create(
          { name: input.name, kind: 'builtin', sound: input.sound ?? null },
          { client: trx }
        )
        await audit.record({
          ...audit.fromRequest(ctx),
          trx,
          action: 'prompt.created',
          target: { type: 'prompt', id: prompt.id, label: prompt.name },
          after: snapshot(prompt),
        })
        return prompt
      })
    }

    const file = input.file!
    const converted = await this.#convert(ctx, file)
    let promptId: number | null = null
    try {
      return await db.transaction(async (trx) => {
        const prompt = await Prompt.create(
          { name: input.name, kind: 'upload', sound: null, durationMs: converted.durationMs },
          { client: trx }
        )
        promptId = prompt.id
        prompt.filePath = this.audio.relativePathOf(prompt.id)
        await prompt.save()
        await audit.record({
          ...audit.fromRequest(ctx),
          trx,
          action: 'prompt.created',
          target: { type: 'prompt', id: prompt.id, label: prompt.name },
          after: { ...snapshot(prompt), ...uploadFacts(file, converted) },
        })
        await this.audio.install(prompt.id, converted, this.#original(file))
        return prompt
      })
    } catch (error) {
      await this.audio.discard(converted)
      if (promptId !== null) await this.audio.remove(promptId)
      throw error
    }
  }

  /** Renames a prompt; a builtin one may also point at another sound. */
  async update(ctx: HttpContext, prompt: Prompt, input: UpdateInput) {
    const before = snapshot(prompt)
    await db.transaction(async (trx) => {
      prompt.useTransaction(trx)
      prompt.name = input.name
      if (prompt.kind === 'builtin' && input.sound) prompt.sound = input.sound
      await prompt.save()
      const changes = diff(before, snapshot(prompt))
      if (Object.keys(changes.after).length === 0) return
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'prompt.updated',
        target: { type: 'prompt', id: prompt.id, label: prompt.name },
        ...changes,
      })
    })
    return prompt
  }

  /**
   * New audio for a prompt, live at once for the next caller (an atomic rename: a caller in the
   * middle of the old file hears it to the end). A builtin prompt becomes an uploaded one.
   */
  async replaceAudio(ctx: HttpContext, prompt: Prompt, file: MultipartFile) {
    const converted = await this.#convert(ctx, file)
    const before = snapshot(prompt)
    try {
      await db.transaction(async (trx) => {
        prompt.useTransaction(trx)
        prompt.merge({
          kind: 'upload',
          sound: null,
          durationMs: converted.durationMs,
          filePath: this.audio.relativePathOf(prompt.id),
        })
        await prompt.save()
        await audit.record({
          ...audit.fromRequest(ctx),
          trx,
          action: 'prompt.audio_replaced',
          target: { type: 'prompt', id: prompt.id, label: prompt.name },
          before,
          after: { ...snapshot(prompt), ...uploadFacts(file, converted) },
        })
        await this.audio.install(prompt.id, converted, this.#original(file))
      })
    } catch (error) {
      await this.audio.discard(converted)
      throw error
    }
    return prompt
  }

  async delete(ctx: HttpContext, prompt: Prompt) {
    await db.transaction(async (trx) => {
      const flows = await flowsReferring('prompt', prompt.id, trx)
      if (flows.length > 0) {
        throw new DomainError('telephony.prompt_in_use', 'prompt', { names: flows.join(', ') })
      }
      prompt.useTransaction(trx)
      await prompt.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'prompt.deleted',
        target: { type: 'prompt', id: prompt.id, label: prompt.name },
        before: snapshot(prompt),
      })
    })
    // After the commit: a file without a row is harmless, a row without its file is not.
    await this.audio.remove(prompt.id)
  }

  async #convert(ctx: HttpContext, file: MultipartFile) {
    try {
      if (!file.tmpPath) throw new PromptAudioError('not_audio')
      return await this.audio.convert(file.tmpPath)
    } catch (error) {
      if (!(error instanceof PromptAudioError)) throw error
      throw fieldErrors(ctx, [
        {
          field: 'file',
          messageKey: `telephony.prompt_issues.${error.code}`,
          rule: `prompt.${error.code}`,
          params: error.params,
        },
      ])
    }
  }

  #original(file: MultipartFile) {
    return file.tmpPath && file.extname ? { path: file.tmpPath, extname: file.extname } : undefined
  }
}
