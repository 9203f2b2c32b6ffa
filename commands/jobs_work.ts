import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import redis from '@adonisjs/redis/services/main'
import db from '@adonisjs/lucid/services/db'
import { connection, QUEUES } from '#config/queue'
import healthService from '#services/health_service'
import ExpireSessionsJob from '#jobs/expire_sessions_job'
import RecordingRetentionJob from '#jobs/recording_retention_job'
import SealRecordingJob from '#jobs/seal_recording_job'
import SealRecordingsJob from '#jobs/seal_recordings_job'

type JobClass = new () => { handle(data: any): Promise<unknown> }

/** Recurring, on the maintenance queue: a scheduler each, and one run when the worker starts. */
const JOBS = {
  [ExpireSessionsJob.jobName]: ExpireSessionsJob,
  [RecordingRetentionJob.jobName]: RecordingRetentionJob,
  [SealRecordingsJob.jobName]: SealRecordingsJob,
} as const

/**
 * On demand, one job per finished recording, added by the telephony worker. Their own queue, so
 * a long maintenance run never holds them up, nor they it.
 */
const RECORDING_JOBS = {
  [SealRecordingJob.jobName]: SealRecordingJob,
} as const

const CHECKPOINT_EVERY_MS = 5_000

/**
 * The job worker: a BullMQ worker for the maintenance queue plus the schedulers of recurring
 * jobs, and one for the recordings queue. Reports a heartbeat to the database every 15 s (the
 * DB, not Redis, so /health can tell "worker alive but Redis down" apart from "worker gone").
 */
export default class JobsWork extends BaseCommand {
  static commandName = 'jobs:work'
  static description = 'Run the background job worker (BullMQ on Redis)'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.number({ description: 'Concurrent maintenance jobs', default: 2 })
  declare concurrency: number

  // Sealing mostly waits (for the file to settle, for the disk): a few at once keep up with a
  // burst of calls ending together.
  @flags.number({ description: 'Recordings sealed at once', default: 4 })
  declare sealConcurrency: number

  async run() {
    // Imported here, not at the top: ace imports every command file to list the commands, and
    // BullMQ would cost every other long-running command (the telephony worker) about 8 MB.
    const { Queue, Worker } = await import('bullmq')
    const queue = new Queue(QUEUES.maintenance, { connection })
    // A Redis restarted without its data has lost the schedulers: put them back on every
    // (re)connect. Never awaited here: Redis down must not keep the worker and its heartbeat
    // from starting; BullMQ waits for Redis and runs the jobs when it returns.
    let ensuring: Promise<void> | null = null
    let caughtUp = false
    const ensureSchedulers = () => {
      ensuring ??= (async () => {
        for (const job of Object.values(JOBS)) {
          await queue.upsertJobScheduler(job.jobName, { every: job.every }, { name: job.jobName })
        }
        // A worker that starts (a deploy, a crash, a reboot) catches up at once rather than at
        // the schedulers' next tick, up to a minute (a day for retention) later.
        if (!caughtUp) {
          for (const job of Object.values(JOBS))
            await queue.add(job.jobName, {}, { removeOnComplete: true, removeOnFail: 100 })
          caughtUp = true
        }
      })()
        .catch((error) => this.logger.warning(`job schedulers: ${error.message}`))
        .finally(() => (ensuring = null))
      return ensuring
    }
    redis.connection().on('ready', () => void ensureSchedulers())

    let redisOk = false
    const work = (queueName: string, jobs: Record<string, JobClass>, concurrency: number) => {
      const worker = new Worker(
        queueName,
        async (job) => {
          const Job = jobs[job.name]
          if (!Job) throw new Error(`Unknown job ${job.name}`)
          return new Job().handle(job.data)
        },
        { connection, concurrency }
      )
      worker.on('ready', () => (redisOk = true))
      worker.on('error', (error) => {
        redisOk = false
        this.logger.warning(`job worker: ${error.message}`)
      })
      worker.on('failed', (job, error) =>
        this.logger.error(`job ${job?.name} failed: ${error.message}`)
      )
      return worker
    }
    const workers = [
      work(QUEUES.maintenance, JOBS, this.concurrency),
      work(QUEUES.recordings, RECORDING_JOBS, this.sealConcurrency),
    ]

    const beat = async () => {
      try {
        redisOk = (await redis.ping().catch(() => null)) === 'PONG'
        await healthService.beat(
          'jobs',
          redisOk ? 'ok' : 'degraded',
          redisOk ? null : 'Redis unreachable'
        )
      } catch (error) {
        this.logger.warning(`heartbeat failed: ${(error as Error).message}`)
      }
    }
    await beat()
    const timer = setInterval(beat, 15_000)
    // SQLite: the telephony worker leaves checkpointing the write-ahead log to this process
    // (commands/telephony_work.ts). PASSIVE never waits for, nor blocks, a writer. A timer, not a
    // job: it must go on while Redis is down.
    const checkpoint =
      db.connection().dialect.name === 'better-sqlite3'
        ? setInterval(() => {
            db.rawQuery('PRAGMA wal_checkpoint(PASSIVE)').catch((error) =>
              this.logger.warning(`WAL checkpoint: ${error.message}`)
            )
          }, CHECKPOINT_EVERY_MS)
        : null
    const names = [...Object.keys(JOBS), ...Object.keys(RECORDING_JOBS)]
    this.logger.info(`job worker running (${names.join(', ')})`)

    this.app.terminating(async () => {
      clearInterval(timer)
      if (checkpoint) clearInterval(checkpoint)
      await Promise.all(workers.map((worker) => worker.close()))
      await queue.close()
    })
  }
}
