import type { Queue } from 'bullmq'
import { producerConnection, QUEUES } from '#config/queue'

/** The job that seals one finished recording on the job worker (app/jobs/seal_recording_job.ts). */
export const SEAL_RECORDING_JOB = 'seal-recording'

export interface SealRecordingData {
  recordingId: number
  callId: number
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} (no answer within ${ms} ms)`)), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}

/**
 * Hands finished recordings to the job worker, which seals them into the vault: encrypting and
 * auditing there keeps that CPU off the telephony worker's event loop, where other calls are
 * routed. Best effort by design: with Redis down `enqueue` rejects within `boundMs` and nothing
 * is kept in memory; the job worker's `seal-recordings` sweep finds every finished, unsealed
 * row anyway, so a lost hand-off only delays the sealing to its next run (a minute at most).
 */
export default class RecordingSealQueue {
  #queue: Promise<Queue> | null = null
  #connected: Promise<void> | null = null
  #ready = false
  readonly #boundMs: number

  constructor(options: { boundMs?: number } = {}) {
    this.#boundMs = options.boundMs ?? 2_000
  }

  async enqueue(recording: { id: number; callId: number }): Promise<void> {
    const queue = await this.#open()
    // Until Redis has been reached once, BullMQ's add waits for it: every caller waits on the
    // same first connect, each for `boundMs` at most, so an outage at start-up piles up no adds.
    // After that the producer connection fails a command at once while Redis is down.
    if (!this.#ready) await within(this.#connected!, this.#boundMs, 'Redis not reachable')
    const data: SealRecordingData = { recordingId: recording.id, callId: recording.callId }
    await within(
      queue.add(SEAL_RECORDING_JOB, data, { removeOnComplete: true, removeOnFail: 100 }),
      this.#boundMs,
      'adding the job to Redis'
    )
  }

  /** Closes the Redis connection, if one was ever opened; never waits long for a Redis that is gone. */
  async close() {
    const queue = await this.#queue?.catch(() => null)
    if (!queue) return
    const client = this.#ready ? await queue.getBackend().client : null
    await within(queue.close(), this.#boundMs, 'closing the queue').catch(() => {})
    // With Redis down BullMQ's QUIT fails and leaves ioredis retrying, which would keep the
    // process alive: drop the retry timer too (a no-op after a clean QUIT).
    client?.disconnect()
  }

  /**
   * Loads BullMQ now rather than at the first recording: loading it holds the event loop for
   * over 100 ms, which at the first hang-up under load held up every other call's answer and
   * ring (136 ms late events measured). Redis is still connected to only when needed.
   */
  warm() {
    import('bullmq').catch(() => {})
  }

  #open() {
    this.#queue ??= (async () => {
      // Imported here, not with this file: ace imports every command file and BullMQ costs a
      // process about 8 MB, so only a process that hands recordings over pays for it.
      const { Queue } = await import('bullmq')
      const queue = new Queue(QUEUES.recordings, { connection: producerConnection })
      // ioredis reports every failed reconnect; a failed hand-off is logged by its caller, once.
      queue.on('error', () => {})
      this.#connected = queue.waitUntilReady().then(() => {
        this.#ready = true
      })
      // Awaited by callers only within their bound; a late failure must not be unhandled.
      this.#connected.catch(() => {})
      return queue
    })()
    return this.#queue
  }
}
