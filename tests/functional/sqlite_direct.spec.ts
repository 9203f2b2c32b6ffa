import { statSync } from 'node:fs'
import { test } from '@japa/runner'
import Database from 'better-sqlite3'
import db from '@adonisjs/lucid/services/db'
import {
  closeOwnConnection,
  openOwnConnection,
  sqliteDirect,
  sqliteFilename,
  sqliteNow,
} from '#services/sqlite_direct'

/**
 * The telephony worker's direct writes on SQLite: another process holding the write lock (the job
 * worker sealing a recording, the web server saving a form) must not freeze the worker's event
 * loop, where every other call is answered and routed, and the write must still happen.
 */
test.group('Direct SQLite writes', () => {
  test('a write waits for another connection’s lock without holding up the event loop', async ({
    assert,
  }) => {
    if (db.connection().dialect.name !== 'better-sqlite3') {
      // PostgreSQL: the callers write through the query builder instead.
      assert.isUndefined(await sqliteDirect(() => true))
      return
    }
    const filename = sqliteFilename()!
    const other = new Database(filename)
    other.exec('create table if not exists direct_write_probe (id integer primary key, note text)')
    try {
      // Another process's transaction, holding the write lock for 150 ms.
      other.exec('begin immediate')
      other.prepare('insert into direct_write_probe (note) values (?)').run('theirs')
      let ticks = 0
      const ticker = setInterval(() => ticks++, 5)
      let released = false
      const release = setTimeout(() => {
        other.exec('commit')
        released = true
      }, 150)
      let ticksWhenWritten = -1
      try {
        const result = await sqliteDirect((connection) => {
          const row = connection
            .prepare('insert into direct_write_probe (note) values (?)')
            .run('ours')
          ticksWhenWritten = ticks
          return row.changes
        })
        assert.equal(result, 1)
      } finally {
        clearInterval(ticker)
        clearTimeout(release)
      }
      // SQLite's own busy handler would have slept in this thread: no timer, no release, and
      // SQLITE_BUSY after 5 s. Here timers kept firing and the write went in after the release.
      assert.isTrue(released)
      assert.isAtLeast(ticksWhenWritten, 10)
      const notes = other
        .prepare('select note from direct_write_probe order by id')
        .all()
        .map((r) => (r as { note: string }).note)
      assert.deepEqual(notes, ['theirs', 'ours'])
    } finally {
      if (other.inTransaction) other.exec('rollback')
      other.exec('drop table if exists direct_write_probe')
      other.close()
    }
  })

  test('the worker’s own connection writes at once, and gives way without waiting when busy', async ({
    assert,
  }) => {
    if (db.connection().dialect.name !== 'better-sqlite3') {
      assert.isFalse(await openOwnConnection())
      assert.isUndefined(sqliteNow(() => true, 'write'))
      return
    }
    const filename = sqliteFilename()!
    const other = new Database(filename)
    other.exec('create table if not exists direct_write_probe (id integer primary key, note text)')
    assert.isTrue(await openOwnConnection())
    try {
      const insert =
        (note: string) => (connection: Parameters<Parameters<typeof sqliteNow>[0]>[0]) =>
          connection.prepare('insert into direct_write_probe (note) values (?)').run(note).changes
      // Free: written synchronously, visible to every other connection.
      assert.equal(sqliteNow(insert('first'), 'write'), 1)
      // Another connection holds the write lock: no wait, no write, undefined for the caller to
      // take the pool's way.
      other.exec('begin immediate')
      const started = Date.now()
      assert.isUndefined(sqliteNow(insert('while busy'), 'write'))
      assert.isBelow(Date.now() - started, 100)
      other.exec('commit')
      // Reads never wait for a writer (WAL).
      other.exec('begin immediate')
      const notes = sqliteNow((connection) =>
        connection
          .prepare('select note from direct_write_probe order by id')
          .all()
          .map((r) => (r as { note: string }).note)
      )
      other.exec('commit')
      assert.deepEqual(notes, ['first'])
      // Closed: nothing runs on it any more.
      closeOwnConnection()
      assert.isUndefined(sqliteNow(insert('after close'), 'write'))
    } finally {
      closeOwnConnection()
      if (other.inTransaction) other.exec('rollback')
      other.exec('drop table if exists direct_write_probe')
      other.close()
    }
  })

  test('the worker’s own connection never checkpoints in a commit; the job worker’s checkpoint does', async ({
    assert,
  }) => {
    if (db.connection().dialect.name !== 'better-sqlite3') {
      // PostgreSQL checkpoints in its own server processes.
      assert.isFalse(await openOwnConnection())
      return
    }
    const filename = sqliteFilename()!
    const other = new Database(filename)
    other.exec('create table if not exists direct_write_probe (id integer primary key, note text)')
    // Start from a file without free pages (the writes below must grow it) and an empty log.
    other.exec('vacuum')
    other.pragma('wal_checkpoint(TRUNCATE)')
    assert.isTrue(await openOwnConnection())
    try {
      assert.deepEqual(
        sqliteNow((connection) => connection.prepare('pragma wal_autocheckpoint').all()),
        [{ wal_autocheckpoint: 0 }]
      )
      // 8 MB in 250 commits: with SQLite's default, the commits that took the log past 1000
      // pages (4 MB) would have copied it into the database file, in the worker's event loop.
      const before = statSync(filename).size
      const blob = 'x'.repeat(32 * 1024)
      for (let i = 0; i < 250; i++)
        sqliteNow(
          (connection) =>
            connection.prepare('insert into direct_write_probe (note) values (?)').run(blob),
          'write'
        )
      assert.equal(statSync(filename).size, before)
      // The job worker's timer (commands/jobs_work.ts), on another connection, copies them.
      await db.rawQuery('PRAGMA wal_checkpoint(PASSIVE)')
      assert.isAtLeast(statSync(filename).size - before, 8_000_000)
    } finally {
      closeOwnConnection()
      other.exec('drop table if exists direct_write_probe')
      other.close()
    }
  })
})
