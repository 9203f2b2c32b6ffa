import { basename, join } from 'node:path'
import { rm, stat } from 'node:fs/promises'
import { DateTime } from 'luxon'
import Recording from '#models/recording'
import audit from '#services/audit_service'
import { sqlTime, affectedRows } from '#services/db_time'
import { recordingVault, type RecordingVault } from '#services/recording_vault'

const BATCH = 500
/** The audit entry lists ids up to this many; the rows themselves keep deleted_at. */
const LISTED_IDS = 500

export interface RetentionResult {
  recordings: number
  filesRemoved: number
  filesMissing: number
  /** Never encrypted (sealing failed) and no RECORDINGS_DIR to find the raw file: left alone. */
  unsealedSkipped: number
}

/**
 * Deletes the vault files of recordings past their retention date (set per queue when the call
 * was recorded) and marks the rows deleted; the rows stay for the call history and the audit.
 * Idempotent: the file goes first, then the row, so a run cut short is finished by the next one.
 */
export default class PurgeExpiredRecordings {
  constructor(
    private vault: RecordingVault = recordingVault(),
    /** Asterisk's recording directory, where a never-encrypted recording still lies. */
    private sourceDir: string | null = null
  ) {}

  async handle(now: DateTime = DateTime.utc()): Promise<RetentionResult> {
    const result: RetentionResult = {
      recordings: 0,
      filesRemoved: 0,
      filesMissing: 0,
      unsealedSkipped: 0,
    }
    const ids: number[] = []
    let afterId = 0
    for (;;) {
      const batch = await Recording.query()
        .whereNull('deleted_at')
        .whereNotNull('retention_until')
        .where('retention_until', '<=', sqlTime(now))
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(BATCH)
      if (batch.length === 0) break
      for (const recording of batch) {
        afterId = recording.id
        if (recording.encrypted) {
          if (await this.vault.remove(recording.storagePath)) result.filesRemoved++
          else result.filesMissing++
        } else if (this.sourceDir) {
          // Never sealed: its audio is still the raw file in Asterisk's directory.
          const raw = join(this.sourceDir, basename(recording.storagePath))
          if (await stat(raw).catch(() => null)) result.filesRemoved++
          else result.filesMissing++
          await rm(raw, { force: true })
        } else {
          result.unsealedSkipped++
          continue
        }
        const marked = await Recording.query()
          .where('id', recording.id)
          .whereNull('deleted_at')
          .update({ deleted_at: sqlTime(now) })
        if (affectedRows(marked) > 0) {
          result.recordings++
          ids.push(recording.id)
        }
      }
    }
    if (result.recordings > 0) {
      await audit.record({
        action: 'recording.deleted_by_retention',
        actor: { id: null, label: 'system' },
        target: { type: 'recording', id: null, label: null },
        after: {
          ...result,
          recordingIds: ids.slice(0, LISTED_IDS),
          unlistedIds: Math.max(0, ids.length - LISTED_IDS),
        },
      })
    }
    return result
  }
}
