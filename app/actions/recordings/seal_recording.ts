import { basename, join } from 'node:path'
import { rm, stat } from 'node:fs/promises'
import db from '@adonisjs/lucid/services/db'
import Recording from '#models/recording'
import audit from '#services/audit_service'
import { recordingVault, type RecordingVault } from '#services/recording_vault'
import { affectedRows } from '#services/db_time'
import { sqliteDirect, sqliteValue } from '#services/sqlite_direct'

/** MixMonitor closes its file just after the channel goes: wait until it stops changing. */
async function settled(path: string, quietMs: number, maxWaitMs: number) {
  let last = ''
  const deadline = Date.now() + maxWaitMs
  while (Date.now() < deadline) {
    const info = await stat(path).catch(() => null)
    if (!info) return false
    const seen = `${info.size}:${info.mtimeMs}`
    if (seen === last) return true
    last = seen
    await new Promise((resolve) => setTimeout(resolve, quietMs))
  }
  return true
}

/**
 * After a call: the raw MixMonitor WAV is encrypted into the vault, its row points at the vault
 * file (with key id, IV, tag, sha256 and size) and the plaintext is deleted. Called by the
 * telephony worker; idempotent (an encrypted row is left alone, a missing source is a no-op).
 */
export default class SealRecording {
  constructor(
    private vault: RecordingVault = recordingVault(),
    private settle = { quietMs: 150, maxWaitMs: 3_000 }
  ) {}

  /**
   * Seals the call's latest recording, or the one named by `recordingId` (a call may have several:
   * one per agent after a transfer, and a voicemail).
   */
  async handle(callId: number, sourceDir: string, recordingId?: number): Promise<Recording | null> {
    const query = Recording.query().where('call_id', callId).whereNull('deleted_at')
    if (recordingId !== undefined) query.where('id', recordingId)
    const recording = await query.orderBy('id', 'desc').first()
    if (!recording || recording.encrypted) return recording
    // The row holds a bare file name inside the Asterisk instance's recording directory.
    const source = join(sourceDir, basename(recording.storagePath))
    if (!(await settled(source, this.settle.quietMs, this.settle.maxWaitMs))) return null

    const sealed = await this.vault.seal(source, recording.id)
    const columns = {
      storage_path: sealed.fileName,
      encrypted: true,
      key_id: sealed.keyId,
      iv: sealed.iv,
      auth_tag: sealed.authTag,
      sha256: sealed.sha256,
      bytes: sealed.bytes,
    }
    const entry = {
      action: 'recording.encrypted',
      actor: { id: null, label: 'system' },
      target: { type: 'recording', id: recording.id, label: null },
      after: {
        callId,
        kind: recording.kind,
        keyId: sealed.keyId,
        sha256: sealed.sha256,
        bytes: sealed.bytes,
      },
    }
    // Conditional: if another process sealed it meanwhile, theirs stands and ours goes. On SQLite
    // the row and its audit entry are written in one synchronous transaction: this runs in the
    // job worker beside a telephony worker that must never wait on a lock held across awaits.
    const names = Object.keys(columns) as Array<keyof typeof columns>
    const updated =
      (await sqliteDirect((connection) => {
        const result = connection
          .prepare(
            `update recordings set ${names.map((c) => `${c} = ?`).join(', ')} where id = ? and encrypted = 0`
          )
          .run(...names.map((c) => sqliteValue(columns[c])), recording.id)
        if (result.changes === 0) return false
        audit.appendDirect(connection, entry)
        return true
      })) ??
      (await db.transaction(async (trx) => {
        const rows = await trx
          .from('recordings')
          .where('id', recording.id)
          .where('encrypted', false)
          .update(columns)
        if (affectedRows(rows) === 0) return false
        await audit.record({ trx, ...entry })
        return true
      }))
    if (!updated) {
      await this.vault.remove(sealed.fileName)
      return Recording.find(recording.id)
    }
    await rm(source, { force: true })
    await recording.refresh()
    return recording
  }
}
