import { rm } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Prompt from '#models/prompt'
import SavePrompt from '#actions/telephony_config/save_prompt'
import DomainError from '#exceptions/domain_error'
import TelephonyPolicy from '#policies/telephony_policy'
import PromptTransformer from '#transformers/prompt_transformer'
import { flowRefersTo } from '#actions/telephony_config/support'
import { changed, renderPage, wantsJson } from '#transformers/page_or_json'
import { PROMPT_EXTNAMES, PromptAudio } from '#services/prompt_audio'
import { telephonyMessages } from '#validators/telephony'
import {
  createPromptValidator,
  promptAudioValidator,
  updatePromptValidator,
} from '#validators/prompts'

/** Uploads leave temporary files behind; whatever the outcome (a refusal too), they go. */
async function withUploads<T>(ctx: HttpContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } finally {
    const files = Object.values(ctx.request.allFiles()).flat()
    for (const file of files) {
      if (file && 'tmpPath' in file && file.tmpPath) await rm(file.tmpPath, { force: true })
    }
  }
}

/**
 * IVR prompts (提示音): supervisors list and preview them, admins add, rename, replace the audio
 * of and delete them. Routes take the numeric id only; the files' paths are never an input.
 */
export default class PromptsController {
  @inject()
  async index(ctx: HttpContext, audio: PromptAudio) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const [prompts, flows] = await Promise.all([
      Prompt.query().orderBy('name'),
      db.from('ivr_flows').select('name', 'nodes').orderBy('name'),
    ])
    const usedBy = Object.fromEntries(
      prompts.map((p) => [
        p.id,
        flows
          .filter((f) => flowRefersTo(JSON.parse(f.nodes), 'prompt', p.id))
          .map((f) => f.name as string),
      ])
    )
    return renderPage(ctx, 'telephony/prompts/index', {
      prompts: PromptTransformer.transform(prompts),
      usedBy,
      limits: {
        maxSeconds: audio.config.maxSeconds,
        maxBytes: audio.config.maxBytes,
        extnames: PROMPT_EXTNAMES,
      },
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SavePrompt) {
    return withUploads(ctx, async () => {
      await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
      const input = await ctx.request.validateUsing(createPromptValidator, {
        meta: {},
        messagesProvider: telephonyMessages(ctx),
      })
      const prompt = await save.create(ctx, input)
      return changed(ctx, {
        flash: 'telephony.prompt_created',
        path: '/telephony/prompts',
        status: 201,
        body: { prompt: PromptTransformer.transform(prompt) },
      })
    })
  }

  @inject()
  async update(ctx: HttpContext, save: SavePrompt) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const prompt = await Prompt.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(updatePromptValidator, {
      meta: { promptId: prompt.id },
      messagesProvider: telephonyMessages(ctx),
    })
    await save.update(ctx, prompt, input)
    return changed(ctx, {
      flash: 'telephony.prompt_updated',
      path: '/telephony/prompts',
      body: { prompt: PromptTransformer.transform(prompt) },
    })
  }

  /** New audio for an existing prompt (multipart `file`). */
  @inject()
  async replaceAudio(ctx: HttpContext, save: SavePrompt) {
    return withUploads(ctx, async () => {
      await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
      const prompt = await Prompt.findOrFail(ctx.params.id)
      const { file } = await ctx.request.validateUsing(promptAudioValidator, {
        messagesProvider: telephonyMessages(ctx),
      })
      await save.replaceAudio(ctx, prompt, file)
      return changed(ctx, {
        flash: 'telephony.prompt_audio_replaced',
        path: '/telephony/prompts',
        body: { prompt: PromptTransformer.transform(prompt) },
      })
    })
  }

  @inject()
  async destroy(ctx: HttpContext, save: SavePrompt) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await Prompt.findOrFail(ctx.params.id))
    return changed(ctx, { flash: 'telephony.prompt_deleted', path: '/telephony/prompts' })
  }

  /** The converted WAV exactly as Asterisk plays it, for the page's preview player. */
  @inject()
  async audio(ctx: HttpContext, audio: PromptAudio) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const prompt = await Prompt.findOrFail(ctx.params.id)
    const opened = prompt.kind === 'upload' ? await audio.open(prompt.id).catch(() => null) : null
    if (!opened) {
      // An <audio> element gets a plain 404, not the redirect back a form would get.
      if (wantsJson(ctx)) throw new DomainError('telephony.prompt_no_audio', 'prompt', {}, 404)
      return ctx.response.status(404).send(ctx.i18n.t('messages.telephony.prompt_no_audio'))
    }
    ctx.response.header('content-type', 'audio/wav')
    ctx.response.header('content-length', String(opened.bytes))
    ctx.response.header('cache-control', 'no-store, private')
    ctx.response.header('x-content-type-options', 'nosniff')
    ctx.response.header('content-disposition', `inline; filename="prompt-${prompt.id}.wav"`)
    ctx.response.stream(opened.stream)
  }
}
