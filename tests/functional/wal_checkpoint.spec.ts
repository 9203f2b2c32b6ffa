import { statSync } from 'node:fs'
import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import ServiceHeartbeat from '#models/service_heartbeat'
import { sqliteFilename } from '#services/sqlite_direct'
import { checkpointWhileJobWorkerSilent } from '#services/wal_checkpoint'

/**
 * The telephony worker leaves SQLite's checkpoints to the job worker, and takes them over while
 * the job worker is down, so the write-ahead log never grows without bound.
 */
test.group('WAL checkpoints while the job worker is down', (group) => {
  group.each.teardown(async () => {
    await ServiceHeartbeat.query().where('service', 'jobs').delete()
  })

  test('the telephony worker checkpoints only when the job worker has been silent for a minute', async ({
    assert,
  }) => {
    if (db.connection().dialect.name !== 'better-sqlite3') {
      // PostgreSQL checkpoints in its own server processes.
      assert.isFalse(await checkpointWhileJobWorkerSilent())
      return
    }
    const filename = sqliteFilename()!
    const writer = new Database(filename)
    // As the telephony worker's connections: they never checkpoint in a commit.
    writer.pragma('wal_autocheckpoint = 0')
    writer.exec('create table if not exists wal_probe (id integer primary key, note text)')
    writer.exec('vacuum')
    writer.pragma('wal_checkpoint(TRUNCATE)')
    const write2Mb = () => {
      const insert = writer.prepare('insert into wal_probe (note) values (?)')
      for (let i = 0; i < 64; i++) insert.run('x'.repeat(32 * 1024))
    }
    try {
      // The job worker beat 20 s ago: it checkpoints; the telephony worker leaves the log be.
      await ServiceHeartbeat.updateOrCreate(
        { service: 'jobs' },
        { status: 'ok', detail: null, updatedAt: DateTime.utc().minus({ seconds: 20 }) }
      )
      const before = statSync(filename).size
      write2Mb()
      assert.isFalse(await checkpointWhileJobWorkerSilent())
      assert.equal(statSync(filename).size, before)

      // Its last beat was two minutes ago: the telephony worker copies the log into the file.
      await ServiceHeartbeat.updateOrCreate(
        { service: 'jobs' },
        { updatedAt: DateTime.utc().minus({ minutes: 2 }) }
      )
      assert.isTrue(await checkpointWhileJobWorkerSilent())
      assert.isAtLeast(statSync(filename).size - before, 2_000_000)

      // Never seen at all (not installed, or its row lost): the same.
      await ServiceHeartbeat.query().where('service', 'jobs').delete()
      const again = statSync(filename).size
      write2Mb()
      assert.isTrue(await checkpointWhileJobWorkerSilent())
      assert.isAtLeast(statSync(filename).size - again, 2_000_000)
    } finally {
      writer.exec('drop table if exists wal_probe')
      writer.close()
    }
  })
})
