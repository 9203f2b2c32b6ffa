import env from '#start/env'
import PurgeExpiredRecordings from '#actions/recordings/purge_expired_recordings'
import { recordingVault } from '#services/recording_vault'

/**
 * Deletes recordings past their retention date (per queue, fixed when the call was recorded).
 * Daily on the job worker; the action is idempotent, so a missed or repeated run is harmless.
 */
export default class RecordingRetentionJob {
  static jobName = 'recording-retention'
  static every = 24 * 60 * 60_000

  async handle() {
    return new PurgeExpiredRecordings(recordingVault(), env.get('RECORDINGS_DIR') ?? null).handle()
  }
}
