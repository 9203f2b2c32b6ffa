import db from '@adonisjs/lucid/services/db'

/** The part of a better-sqlite3 connection the direct writes use. */
export interface SqliteConnection {
  prepare(sql: string): {
    run(...values: unknown[]): { changes: number }
    all(...values: unknown[]): Record<string, unknown>[]
  }
  transaction<T>(work: () => T): () => T
  pragma(source: string): unknown
}

/** What the connection's pool sets (config/database.ts) and what this module restores. */
const BUSY_TIMEOUT_MS = 5000

/**
 * The telephony worker's hottest writes (call events and call rows, agents' state changes, a
 * dozen statements per call) run on better-sqlite3's own connection when the database is the
 * embedded SQLite: the query builder spent about ten times as long building, pooling and
 * wrapping each statement as SQLite spent running it. The work runs synchronously in one
 * transaction, on the pool's connection taken the ordinary way (so never beside a knex
 * transaction), through the same cache of prepared statements (config/database.ts).
 *
 * It never waits for a lock with the event loop held: SQLite's own busy handler sleeps in the
 * calling thread (1, 2, 5, 10, 15… ms), so another process's transaction (the job worker sealing
 * a recording, an admin saving a form) used to freeze the telephony worker, and every call in
 * it, for up to 27 ms under load. Here the busy timeout is off while the work runs; a busy
 * database rolls the work back, the connection goes back to the pool, and the work runs again
 * after a timer, for up to the same 5 s. `work` must therefore only touch the database.
 * Returns undefined on PostgreSQL: the caller then writes through the query builder.
 */
export async function sqliteDirect<T>(
  work: (connection: SqliteConnection) => T
): Promise<T | undefined> {
  if (db.connection().dialect.name !== 'better-sqlite3') return undefined
  const knex = db.connection().getWriteClient() as unknown as {
    client: {
      acquireConnection(): Promise<SqliteConnection>
      releaseConnection(connection: SqliteConnection): unknown
    }
  }
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let attempt = 0; ; attempt++) {
    const connection = await knex.client.acquireConnection()
    try {
      connection.pragma('busy_timeout = 0')
      return connection.transaction(() => work(connection))()
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error
    } finally {
      connection.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
      await knex.client.releaseConnection(connection)
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(1 + attempt, 10)))
  }
}

/** SQLITE_BUSY and its extended codes (SQLITE_BUSY_SNAPSHOT: the snapshot read went stale). */
function isBusy(error: unknown) {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

/** A value as better-sqlite3 binds it: it refuses booleans and undefined. */
export function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  return value
}
