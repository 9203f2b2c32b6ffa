import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import ServiceHeartbeat from '#models/service_heartbeat'

/** The job worker beats every 15 s; this long without a beat, it is taken to be down. */
export const JOB_WORKER_SILENT_S = 60

/**
 * SQLite: the telephony worker never checkpoints the write-ahead log in its commits (a checkpoint
 * there stopped its event loop, and every call in it, for 10–20 ms); the job worker does, every
 * 5 s (commands/jobs_work.ts). While the job worker is down, nothing would, and at 100
 * concurrent calls the log grows by some 100 MB an hour, each read walking more of it. So the
 * telephony worker, at each of its beats, checkpoints itself when the job worker's last beat is
 * older than a minute, accepting that pause every 10 s over a log without bound. PASSIVE: it
 * neither waits for nor blocks anyone. Returns whether it checkpointed.
 */
export async function checkpointWhileJobWorkerSilent(now = DateTime.utc()): Promise<boolean> {
  if (db.connection().dialect.name !== 'better-sqlite3') return false
  const beat = await ServiceHeartbeat.find('jobs')
  if (beat && now.diff(beat.updatedAt).as('seconds') < JOB_WORKER_SILENT_S) return false
  await db.rawQuery('PRAGMA wal_checkpoint(PASSIVE)')
  return true
}
