import telephonyConfig from '#config/telephony'
import SealFinishedRecordings from '#actions/recordings/seal_finished_recordings'

/**
 * Every minute on the job worker (and once at its start): seals the finished recordings that no
 * `seal-recording` job sealed, because Redis or the job worker was down when the telephony
 * worker handed them over. One sweep at a time per worker: a slow one is not doubled by the
 * next tick.
 */
export default class SealRecordingsJob {
  static jobName = 'seal-recordings'
  static every = 60_000

  static #running = false

  async handle() {
    if (SealRecordingsJob.#running) return { skipped: 'a sweep is already running' }
    SealRecordingsJob.#running = true
    try {
      return await new SealFinishedRecordings(telephonyConfig.recordingsDir).handle()
    } finally {
      SealRecordingsJob.#running = false
    }
  }
}
