import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import redis from '@adonisjs/redis/services/main'
import env from '#start/env'
import telephonyConfig from '#config/telephony'
import { normalizeAriBaseUrl } from '#telephony/ari/index'
import db from '@adonisjs/lucid/services/db'
import StasisApp from '#telephony/stasis/stasis_app'
import TelephonyWorker from '#telephony/worker/telephony_worker'
import LeaderLock from '#services/leader_lock'
import RecordingSealQueue from '#services/recording_seal_queue'
import healthService from '#services/health_service'
import { checkpointWhileJobWorkerSilent } from '#services/wal_checkpoint'

/** A dead active worker is replaced after at most this long (plus one standby retry). */
const LOCK_TTL_MS = 6_000
/** How long a stopped worker may take to close the database and Redis before it just exits. */
const SHUTDOWN_GRACE_MS = 3_000

/**
 * The telephony worker: holds the ARI connection of our Stasis app and runs calls (routes, IVR,
 * queues, agents, recording). Only one per Asterisk is active; a second one started against the
 * same Asterisk waits as hot standby and takes over when the active one goes away (see
 * app/telephony/worker/telephony_worker.ts for the lock and what Redis being down means).
 * Reports its role and ARI state for /health.
 */
export default class TelephonyWork extends BaseCommand {
  static commandName = 'telephony:work'
  static description = 'Run the telephony worker (ARI Stasis application; one active per Asterisk)'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  async run() {
    const ari = {
      url: env.get('ARI_URL'),
      username: env.get('ARI_USERNAME'),
      password: env.get('ARI_PASSWORD').release(),
      app: env.get('ARI_APP'),
    }
    // Redis only holds the lock here. ioredis reconnects forever; its errors are the worker's to
    // report (once per outage, below), not a fatal log line every two seconds.
    redis.doNotLogErrors()
    // ioredis rejects every queued command when a connection attempt gives up; one of those
    // without a handler of its own must not take the calls down with it (Redis only holds the
    // lock here). Anything else still ends the process as before.
    process.on('unhandledRejection', (reason) => {
      if (reason instanceof Error && reason.name === 'MaxRetriesPerRequestError') {
        this.logger.warning(`Redis: ${reason.message}`)
        return
      }
      throw reason
    })
    const lock = new LeaderLock(
      redis.connection(),
      `ringdesk:telephony-worker:${normalizeAriBaseUrl(ari.url)}:${ari.app}`,
      LOCK_TTL_MS
    )
    // SQLite: this process never checkpoints the write-ahead log (copying it into the database
    // file, synchronously, for milliseconds, in the event loop that routes calls); the job
    // worker does, every few seconds (commands/jobs_work.ts), and the web server as it writes;
    // this process only while the job worker is down (#services/wal_checkpoint, at each beat).
    if (db.connection().dialect.name === 'better-sqlite3')
      await db.rawQuery('PRAGMA wal_autocheckpoint = 0')
    // Finished recordings are sealed by the job worker: encrypting here would hold up the event
    // loop that routes the other calls. One queue for every term this worker is active.
    const sealQueue = new RecordingSealQueue()
    sealQueue.warm()
    const worker = new TelephonyWorker({
      ari,
      lock,
      logger: this.logger,
      startCalls: (pair) => {
        const stasis = new StasisApp(pair, {
          recordingDir: telephonyConfig.recordingsDir,
          outboundTrunk: telephonyConfig.outboundTrunk,
          logger: this.logger,
          sealRecording: (recording) => sealQueue.enqueue(recording),
        })
        stasis.start()
        pair.events.on('connected', () => this.logger.info('ARI connected'))
        // No error: the term ended on purpose (shutdown, stepping down).
        pair.events.on('disconnected', (error) =>
          error
            ? this.logger.warning(`ARI disconnected (${error.message}); reconnecting`)
            : this.logger.info('ARI connection closed')
        )
        return stasis
      },
    })

    // Beats one at a time, so a late standby beat cannot land after the first active one.
    let beating: Promise<void> = Promise.resolve()
    let checkpointing = false
    const beat = () => {
      beating = beating.then(async () => {
        await healthService
          .beatTelephony(worker.status())
          .catch((error) => this.logger.warning(`heartbeat failed: ${error.message}`))
        // The job worker checkpoints SQLite's log; while it is down, this process does.
        const checkpointed = await checkpointWhileJobWorkerSilent().catch((error) => {
          this.logger.warning(`WAL checkpoint: ${error.message}`)
          return checkpointing
        })
        if (checkpointed !== checkpointing)
          this.logger.info(
            checkpointed
              ? 'job worker silent: checkpointing the SQLite log here until it is back'
              : 'job worker back: it checkpoints the SQLite log again'
          )
        checkpointing = checkpointed
      })
      return beating
    }
    // A change of role or connection is reported at once, not at the next periodic beat.
    worker.on('change', () => void beat())
    worker.start()
    await beat()
    const timer = setInterval(beat, 10_000)

    this.app.terminating(async () => {
      clearInterval(timer)
      await worker.stop()
      await beating
      await sealQueue.close()
      await healthService.forgetTelephonyStandby(lock.instance).catch(() => {})
      // The providers close the database and Redis next, and then the process ends by itself
      // unless a timer a call left behind still runs: a late one reopened the database (whose
      // pool then kept the process up until SIGKILL). A stopped worker has nothing left to do.
      setTimeout(() => {
        this.logger.warning('stopped, but something still kept the process up: exiting')
        process.exit()
      }, SHUTDOWN_GRACE_MS).unref()
    })
  }
}
