import Recording from '#models/recording'
import SealRecording from '#actions/recordings/seal_recording'

const BATCH = 100

export interface SealSweepResult {
  /** In the vault now (by this sweep, or by a job or the telephony worker meanwhile). */
  sealed: number
  /** No plaintext left to seal in the recording directory. */
  missing: number
  failed: number
}

/**
 * Seals every finished recording not yet in the vault: the durable path behind the telephony
 * worker's hand-off of each recording to the job worker, which is lost when Redis or the job
 * worker is down. Finished means the telephony worker recorded its size when the leg ended
 * (`bytes > 0`); a leg still being recorded has none. Racing the per-recording job is harmless:
 * SealRecording's conditional update keeps the first seal and discards the other.
 */
export default class SealFinishedRecordings {
  constructor(
    /** Asterisk's recording directory, where the plaintext WAV files are. */
    private sourceDir: string,
    private sealer: SealRecording = new SealRecording()
  ) {}

  async handle(): Promise<SealSweepResult> {
    const result: SealSweepResult = { sealed: 0, missing: 0, failed: 0 }
    let firstError: unknown = null
    let afterId = 0
    for (;;) {
      const batch = await Recording.query()
        .where('encrypted', false)
        .whereNull('deleted_at')
        .where('bytes', '>', 0)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(BATCH)
      if (batch.length === 0) break
      for (const recording of batch) {
        afterId = recording.id
        try {
          const sealed = await this.sealer.handle(recording.callId, this.sourceDir, recording.id)
          if (sealed?.encrypted) result.sealed++
          else result.missing++
        } catch (error) {
          // The job may have sealed it and deleted the plaintext while this sweep was reading it.
          const latest = await Recording.find(recording.id)
          if (latest?.encrypted) {
            result.sealed++
          } else {
            result.failed++
            firstError ??= error
          }
        }
      }
    }
    // One broken recording must not keep the others from being sealed: report it at the end.
    if (firstError) {
      const message = firstError instanceof Error ? firstError.message : String(firstError)
      throw new Error(
        `${result.failed} recording(s) not sealed (${result.sealed} sealed): ${message}`
      )
    }
    return result
  }
}
