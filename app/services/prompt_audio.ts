import { execFile } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { chmod, copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import type { Readable } from 'node:stream'
import app from '@adonisjs/core/services/app'

const execFileAsync = promisify(execFile)

/*
| Uploaded IVR prompts, converted for Asterisk. Every upload is decoded by ffmpeg into 8 kHz mono
| 16-bit PCM WAV (`slin`, what Asterisk plays to a phone without transcoding) and measured; only
| then does it replace `<asteriskDir>/prompts/<id>.wav`, by an atomic rename, so a caller never
| hears half a file. File names are built from the prompt's numeric id alone: nothing the browser
| sends (file name, path) ever becomes part of a path.
|
| ffmpeg reads untrusted files: it may only use the demuxers of the audio formats we accept and
| the `file` protocol, so a "wav" that is really an HLS or concat playlist cannot make it read
| other files or fetch URLs.
*/

/** File name extensions accepted for upload (checked on the magic number where one exists). */
export const PROMPT_EXTNAMES = [
  'wav',
  'mp3',
  'm4a',
  'aac',
  'ogg',
  'oga',
  'opus',
  'flac',
  'amr',
  'wma',
  'aif',
  'aiff',
]

/** The ffmpeg demuxers behind those extensions (mov reads m4a, asf reads wma). */
const DEMUXERS = 'wav,mp3,mov,aac,ogg,flac,amr,asf,aiff'
const PROBE_TIMEOUT_MS = 30_000
const CONVERT_TIMEOUT_MS = 120_000
/** Shorter than this is a click, not a prompt. */
const MIN_DURATION_MS = 100

export interface PromptAudioConfig {
  /** The Asterisk instance's recording directory; prompts go to its `prompts/` subdirectory. */
  asteriskDir: string
  /** Where the uploaded originals are kept (never served, never read by Asterisk). */
  originalsDir: string
  maxBytes: number
  maxSeconds: number
}

export type PromptAudioProblem = 'not_audio' | 'too_long' | 'too_short'

/** The upload cannot become a prompt; `code` names the translated message. */
export class PromptAudioError extends Error {
  constructor(
    public code: PromptAudioProblem,
    public params: Record<string, string | number> = {}
  ) {
    super(`prompt audio: ${code}`)
    this.name = 'PromptAudioError'
  }
}

/** A converted upload waiting in Asterisk's prompts directory under a temporary name. */
export interface ConvertedPrompt {
  tempPath: string
  durationMs: number
  bytes: number
  sha256: string
}

interface Probe {
  hasAudio: boolean
  durationMs: number | null
  sampleRate: number | null
  channels: number | null
  codec: string | null
}

async function sha256Of(path: string) {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}

export class PromptAudio {
  constructor(readonly config: PromptAudioConfig = app.config.get<PromptAudioConfig>('prompts')) {}

  /** Asterisk's `recording:prompts/<id>` reads this directory. */
  get directory() {
    return join(this.config.asteriskDir, 'prompts')
  }

  /** The converted file of prompt `id`; only a positive integer id makes a path. */
  pathOf(id: number): string {
    if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`not a prompt id: ${id}`)
    return join(this.directory, `${id}.wav`)
  }

  /** Relative to the Asterisk recording directory, as stored in `prompts.file_path`. */
  relativePathOf(id: number): string {
    this.pathOf(id)
    return `prompts/${id}.wav`
  }

  /** What ffprobe sees in a file, through the demuxer whitelist; null when it is not media. */
  async probe(path: string): Promise<Probe | null> {
    try {
      const { stdout } = await execFileAsync(
        'ffprobe',
        [
          '-v',
          'error',
          '-protocol_whitelist',
          'file',
          '-format_whitelist',
          DEMUXERS,
          '-show_entries',
          'format=duration:stream=codec_type,codec_name,sample_rate,channels',
          '-of',
          'json',
          path,
        ],
        { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1024 * 1024 }
      )
      const info = JSON.parse(stdout)
      const audio = (info.streams ?? []).find((s: any) => s.codec_type === 'audio')
      const seconds = Number(info.format?.duration)
      return {
        hasAudio: Boolean(audio),
        durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null,
        sampleRate: audio?.sample_rate ? Number(audio.sample_rate) : null,
        channels: audio?.channels ?? null,
        codec: audio?.codec_name ?? null,
      }
    } catch {
      return null
    }
  }

  /**
   * Decodes `source` into a new 8 kHz mono 16-bit WAV beside the live prompts and measures it.
   * Throws PromptAudioError (and leaves nothing behind) when it is not audio, or too long.
   */
  async convert(source: string): Promise<ConvertedPrompt> {
    const maxMs = this.config.maxSeconds * 1000
    const input = await this.probe(source)
    if (!input?.hasAudio) throw new PromptAudioError('not_audio')
    // A declared length well over the limit is refused before spending time decoding it.
    if (input.durationMs !== null && input.durationMs > maxMs + 1000) {
      throw new PromptAudioError('too_long', { max: this.config.maxSeconds })
    }

    await mkdir(this.directory, { recursive: true, mode: 0o755 })
    const tempPath = join(this.directory, `upload-${randomUUID()}.wav`)
    try {
      try {
        await execFileAsync(
          'ffmpeg',
          [
            '-nostdin',
            '-v',
            'error',
            '-protocol_whitelist',
            'file',
            '-format_whitelist',
            DEMUXERS,
            '-i',
            source,
            '-map',
            '0:a:0',
            '-vn',
            '-sn',
            '-dn',
            '-map_metadata',
            '-1',
            '-fflags',
            '+bitexact',
            '-flags:a',
            '+bitexact',
            '-ac',
            '1',
            '-ar',
            '8000',
            '-c:a',
            'pcm_s16le',
            // Never decode more than the limit and a second: the length check below decides.
            '-t',
            String(this.config.maxSeconds + 1),
            '-f',
            'wav',
            '-y',
            tempPath,
          ],
          { timeout: CONVERT_TIMEOUT_MS, maxBuffer: 1024 * 1024 }
        )
      } catch {
        throw new PromptAudioError('not_audio')
      }
      const output = await this.probe(tempPath)
      if (!output?.hasAudio || output.durationMs === null) throw new PromptAudioError('not_audio')
      if (output.durationMs > maxMs) {
        throw new PromptAudioError('too_long', { max: this.config.maxSeconds })
      }
      if (output.durationMs < MIN_DURATION_MS) throw new PromptAudioError('too_short')
      await chmod(tempPath, 0o644)
      const { size } = await stat(tempPath)
      return {
        tempPath,
        durationMs: output.durationMs,
        bytes: size,
        sha256: await sha256Of(tempPath),
      }
    } catch (error) {
      await rm(tempPath, { force: true })
      throw error
    }
  }

  /** Drops a conversion that will not be used (the save failed). */
  async discard(converted: ConvertedPrompt) {
    await rm(converted.tempPath, { force: true })
  }

  /**
   * Puts a conversion live as prompt `id` (atomic rename over the previous file) and keeps the
   * upload as `<originalsDir>/<id>.<extname>`, replacing an earlier original of any extension.
   */
  async install(
    id: number,
    converted: ConvertedPrompt,
    original?: { path: string; extname: string }
  ) {
    const target = this.pathOf(id)
    if (original) await this.#keepOriginal(id, original.path, original.extname)
    await rename(converted.tempPath, target)
  }

  /** Removes prompt `id`'s converted file and original; missing files are fine. */
  async remove(id: number) {
    await rm(this.pathOf(id), { force: true })
    await this.#removeOriginals(id)
  }

  async exists(id: number): Promise<boolean> {
    return Boolean(await stat(this.pathOf(id)).catch(() => null))
  }

  /** The converted file, for the preview player; throws ENOENT when it is missing. */
  async open(id: number): Promise<{ stream: Readable; bytes: number }> {
    const path = this.pathOf(id)
    const { size } = await stat(path)
    return { stream: createReadStream(path), bytes: size }
  }

  /** The kept original of prompt `id`, if any. */
  async originalOf(id: number): Promise<string | null> {
    const names = await readdir(this.config.originalsDir).catch(() => [] as string[])
    const name = names.find((n) => this.#isOriginalOf(n, id))
    return name ? join(this.config.originalsDir, name) : null
  }

  #isOriginalOf(name: string, id: number) {
    return new RegExp(`^${id}\\.[a-z0-9]{1,5}$`).test(name)
  }

  async #keepOriginal(id: number, source: string, extname: string) {
    const ext = extname.toLowerCase()
    if (!PROMPT_EXTNAMES.includes(ext)) throw new Error(`not a prompt extension: ${extname}`)
    await mkdir(this.config.originalsDir, { recursive: true, mode: 0o700 })
    const target = join(this.config.originalsDir, `${id}.${ext}`)
    const partial = `${target}.partial`
    // Copied, not renamed: the upload's temporary file may be on another file system.
    await copyFile(source, partial)
    await chmod(partial, 0o600)
    await this.#removeOriginals(id)
    await rename(partial, target)
  }

  async #removeOriginals(id: number) {
    const names = await readdir(this.config.originalsDir).catch(() => [] as string[])
    for (const name of names.filter((n) => this.#isOriginalOf(n, id))) {
      await rm(join(this.config.originalsDir, name), { force: true })
    }
  }
}
