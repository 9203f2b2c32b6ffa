import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  randomUUID,
} from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { pipeline as pipelineCb, Transform, type Readable } from 'node:stream'
import app from '@adonisjs/core/services/app'

/*
| Recordings at rest: AES-256-GCM, one random 12-byte IV per file, the tag and the IV in the
| recordings row, the key outside the database (RECORDINGS_KEY). The vault file holds nothing but
| ciphertext; the recording's id is bound in as additional data, so a vault file moved under
| another row does not decrypt.
*/

const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const KEY_BYTES = 32
const VAULT_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.wav\.enc$/

export interface VaultKey {
  /** First 8 hex characters of sha256(key): names the key in rows without revealing it. */
  id: string
  key: Buffer
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8)
}

/** A 32-byte key from its base64 form; anything else is a configuration error. */
export function parseKey(base64: string, name = 'RECORDINGS_KEY'): Buffer {
  const key = Buffer.from(base64.trim(), 'base64')
  if (key.length !== KEY_BYTES) {
    throw new Error(`${name} must be ${KEY_BYTES} bytes, base64-encoded (openssl rand -base64 32)`)
  }
  return key
}

/**
 * Development and test only: a recordings key derived from APP_KEY with HKDF, so a fresh checkout
 * records out of the box. Production refuses to start without its own RECORDINGS_KEY: the app key
 * signs cookies and is rotated for other reasons than the recordings' key.
 */
export function deriveDevelopmentKey(appKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', appKey, 'ringdesk', 'recordings-at-rest-v1', KEY_BYTES))
}

/** The current key (encrypts) and the retired ones (still decrypt older recordings). */
export class Keyring {
  readonly current: VaultKey
  readonly #byId = new Map<string, VaultKey>()

  constructor(current: Buffer, retired: Buffer[] = []) {
    this.current = { id: keyIdOf(current), key: current }
    for (const key of [current, ...retired]) {
      const id = keyIdOf(key)
      if (!this.#byId.has(id)) this.#byId.set(id, { id, key })
    }
  }

  get(id: string): VaultKey | undefined {
    return this.#byId.get(id)
  }

  get ids(): string[] {
    return [...this.#byId.keys()]
  }
}

export function keyringFromEnv(options: {
  nodeEnv: string
  recordingsKey?: string | null
  oldKeys?: string | null
  appKey: string
}): Keyring {
  const retired = (options.oldKeys ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => parseKey(s, 'RECORDINGS_OLD_KEYS'))
  if (options.recordingsKey) return new Keyring(parseKey(options.recordingsKey), retired)
  if (options.nodeEnv === 'production') {
    throw new Error(
      'RECORDINGS_KEY is not set: call recordings cannot be encrypted. Generate one with ' +
        '`openssl rand -base64 32`, keep it outside the database and its backups.'
    )
  }
  return new Keyring(deriveDevelopmentKey(options.appKey), retired)
}

export interface RecordingsConfig {
  /** Absolute path of the vault directory (never under public/). */
  storeDir: string
  keyring: Keyring
}

/** What the recordings row keeps about a sealed file. */
export interface SealedRecording {
  fileName: string
  keyId: string
  iv: string
  authTag: string
  sha256: string
  bytes: number
}

/** The vault refuses to serve audio whose tag or digest does not match: tampered or corrupt. */
export class RecordingIntegrityError extends Error {
  constructor(
    message: string,
    public reason: 'auth_tag' | 'sha256' | 'unknown_key' | 'missing_file'
  ) {
    super(message)
    this.name = 'RecordingIntegrityError'
  }
}

/** Additional authenticated data: ties a ciphertext to its recording row. */
function aadFor(recordingId: number) {
  return Buffer.from(`ringdesk:recording:v1:${recordingId}`)
}

export class RecordingVault {
  constructor(public readonly config: RecordingsConfig) {}

  /** The absolute path of a vault file; only names the vault itself made are accepted. */
  pathOf(fileName: string): string {
    if (!VAULT_FILE.test(fileName)) throw new Error(`not a vault file name: ${fileName}`)
    return join(this.config.storeDir, fileName)
  }

  /**
   * Encrypts `sourcePath` into a new vault file, streaming (memory stays flat for an hour-long
   * call). Written to a temporary name and renamed, so a crash never leaves a half file under a
   * real name. The source is left in place: the caller deletes it once the row points here.
   */
  async seal(sourcePath: string, recordingId: number): Promise<SealedRecording> {
    await mkdir(this.config.storeDir, { recursive: true, mode: 0o700 })
    const { id: keyId, key } = this.config.keyring.current
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv(ALGORITHM, key, iv)
    cipher.setAAD(aadFor(recordingId))
    const digest = createHash('sha256')
    let bytes = 0
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        digest.update(chunk)
        bytes += chunk.length
        callback(null, chunk)
      },
    })
    const fileName = `${randomUUID()}.wav.enc`
    const target = this.pathOf(fileName)
    const partial = `${target}.partial`
    try {
      await pipeline(
        createReadStream(sourcePath),
        tap,
        cipher,
        createWriteStream(partial, { mode: 0o600, flags: 'wx' })
      )
      await rename(partial, target)
    } catch (error) {
      await rm(partial, { force: true })
      throw error
    }
    return {
      fileName,
      keyId,
      iv: iv.toString('hex'),
      authTag: cipher.getAuthTag().toString('hex'),
      sha256: digest.digest('hex'),
      bytes,
    }
  }

  /**
   * The plaintext as a stream. GCM only proves integrity at the end, so the last decrypted chunk
   * is held back until the tag (and the plaintext's sha256) check out: a tampered file ends in an
   * error (RecordingIntegrityError) before its last bytes, never as a complete, valid-looking
   * response.
   */
  open(
    recording: {
      id: number
      storagePath: string
      keyId: string | null
      iv: string | null
      authTag: string | null
      sha256: string | null
    },
    options: { highWaterMark?: number } = {}
  ): Readable {
    const vaultKey = recording.keyId ? this.config.keyring.get(recording.keyId) : undefined
    if (!vaultKey || !recording.iv || !recording.authTag) {
      throw new RecordingIntegrityError(
        `recording ${recording.id}: key ${recording.keyId ?? '-'} is not in the keyring`,
        'unknown_key'
      )
    }
    const decipher = createDecipheriv(ALGORITHM, vaultKey.key, Buffer.from(recording.iv, 'hex'))
    decipher.setAAD(aadFor(recording.id))
    decipher.setAuthTag(Buffer.from(recording.authTag, 'hex'))
    const digest = createHash('sha256')
    const expected = recording.sha256
    let held: Buffer | null = null
    const verified = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        const plain = decipher.update(chunk)
        digest.update(plain)
        const previous = held
        held = plain
        callback(null, previous ?? undefined)
      },
      flush(callback) {
        let tail: Buffer
        try {
          tail = decipher.final()
        } catch {
          callback(
            new RecordingIntegrityError(
              `recording ${recording.id}: authentication tag mismatch`,
              'auth_tag'
            )
          )
          return
        }
        digest.update(tail)
        if (expected && digest.digest('hex') !== expected) {
          callback(
            new RecordingIntegrityError(`recording ${recording.id}: sha256 mismatch`, 'sha256')
          )
          return
        }
        if (held) this.push(held)
        callback(null, tail.length ? tail : undefined)
      },
    })
    const source = createReadStream(this.pathOf(recording.storagePath), {
      highWaterMark: options.highWaterMark,
    })
    // Errors of either stream surface on `verified`, the one the caller reads.
    return pipelineCb(source, verified, () => {})
  }

  /** Decrypts a whole recording into `targetPath` (exports, checks); throws if it fails. */
  async decryptTo(recording: Parameters<RecordingVault['open']>[0], targetPath: string) {
    await pipeline(this.open(recording), createWriteStream(targetPath, { mode: 0o600 }))
  }

  async exists(fileName: string): Promise<boolean> {
    return Boolean(await stat(this.pathOf(fileName)).catch(() => null))
  }

  /** Deletes a vault file; true if it was there. */
  async remove(fileName: string): Promise<boolean> {
    const existed = await this.exists(fileName)
    await rm(this.pathOf(fileName), { force: true })
    return existed
  }
}

let shared: RecordingVault | null = null

/** The vault configured in config/recordings.ts, shared by the web server, jobs and telephony. */
export function recordingVault(): RecordingVault {
  shared ??= new RecordingVault(app.config.get<RecordingsConfig>('recordings'))
  return shared
}
