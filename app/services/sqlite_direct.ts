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
 * transaction: in the telephony worker on its own connection (below) when the database is
 * free, otherwise on the pool's connection taken the ordinary way (so never beside a knex
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
  // In the telephony worker: at once on its own connection, whose busy timeout is always 0.
  const now = onOwnConnection(work, 'write')
  if (now) return now.value
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let attempt = 0; ; attempt++) {
    const connection = await knex.client.acquireConnection()
    try {
      // Not a prepared statement: SQLite applies this pragma when it compiles it.
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

/**
 * One read, on SQLite straight on better-sqlite3 (the worker's own connection when it can, else
 * the pool's): every row, possibly none. Undefined on PostgreSQL: the caller then reads through
 * the query builder. For the telephony worker's reads of every call, which spent most of their
 * time in the query builder, its pool and its promises rather than in SQLite.
 */
export async function sqliteAll(
  sql: string,
  ...values: unknown[]
): Promise<Record<string, unknown>[] | undefined> {
  const read = (connection: SqliteConnection) =>
    connection.prepare(sql).all(...values.map(sqliteValue))
  return sqliteNow(read) ?? (await sqliteDirect(read))
}

/**
 * The first row of a read, as sqliteAll reads it, or null when there is none; on PostgreSQL,
 * what `queryBuilder` (the same read through the query builder) finds.
 */
export async function sqliteFirst(
  sql: string,
  values: unknown[],
  queryBuilder: () => Promise<Record<string, any> | null | undefined>
): Promise<Record<string, any> | null> {
  const rows = await sqliteAll(sql, ...values)
  return (rows ? rows[0] : await queryBuilder()) ?? null
}

/** One write as sqliteAll reads: the number of rows changed, or undefined on PostgreSQL. */
export async function sqliteRun(sql: string, ...values: unknown[]): Promise<number | undefined> {
  return sqliteDirect(
    (connection) => connection.prepare(sql).run(...values.map(sqliteValue)).changes
  )
}

/*
| The telephony worker's own connection (opened by the Stasis app while it runs, closed when it
| stops), for its direct work and reads, above all those on the path from a caller's key press
| to the agent's phone ringing (the free agents, the agent's claim). Through knex's pool each of
| them waited for the pool's promise chain and for whatever else held the one connection, and
| the caller's ring waited with them; here they run at once, synchronously, in the event
| handler, and no busy-timeout pragma is compiled twice per transaction (a tenth of the
| worker's CPU under load). It never waits: its busy timeout is 0, and when the database is
| busy (another connection is writing) the caller falls back to the pool's way above. Never opened in processes that run requests
| inside a test's global transaction: it would not see that transaction's rows.
*/
interface OwnConnection {
  database: {
    prepare(sql: string): unknown
    transaction<A extends unknown[], T>(
      work: (...args: A) => T
    ): ((...args: A) => T) & { immediate: (...args: A) => T }
    pragma(source: string): unknown
    close(): void
  }
  read: (work: (connection: SqliteConnection) => unknown) => unknown
  write: (work: (connection: SqliteConnection) => unknown) => unknown
}

let own: OwnConnection | null = null
/** Bumped by every close: an open still importing when it was closed does not open after all. */
let closes = 0

/** Opens the process's own connection when the database is SQLite; false otherwise. */
export async function openOwnConnection(): Promise<boolean> {
  if (own) return true
  const filename = sqliteFilename()
  if (!filename) return false
  const closesBefore = closes
  const { default: Database } = await import('better-sqlite3')
  if (closes !== closesBefore || own) return own !== null
  const database = new Database(filename) as unknown as OwnConnection['database']
  database.pragma('busy_timeout = 0')
  database.pragma('foreign_keys = ON')
  database.pragma('synchronous = NORMAL')
  // Like the worker's pool connection (commands/telephony_work.ts), it never checkpoints the
  // write-ahead log: the commit that passed 1000 pages copied it into the database file, fsyncs
  // included, for 10–18 ms with the event loop stopped, some twenty times a minute at 100
  // concurrent calls. The job worker checkpoints every 5 s (commands/jobs_work.ts).
  database.pragma('wal_autocheckpoint = 0')
  const statements = new Map<string, unknown>()
  const connection = {
    prepare(sql: string) {
      // The most recently used 500, like the pool's connection (config/database.ts).
      let statement = statements.get(sql)
      if (statement) statements.delete(sql)
      else {
        statement = database.prepare(sql)
        if (statements.size >= 500) statements.delete(statements.keys().next().value!)
      }
      statements.set(sql, statement)
      return statement
    },
    transaction: database.transaction.bind(database),
    pragma: database.pragma.bind(database),
  } as unknown as SqliteConnection
  const run = database.transaction((work: (c: SqliteConnection) => unknown) => work(connection))
  own = {
    database,
    read: run,
    // The write lock first: a busy database fails here, before anything was read or decided.
    write: run.immediate,
  }
  return true
}

/** The database file when the database is SQLite on a file; undefined otherwise. */
export function sqliteFilename(): string | undefined {
  if (db.connection().dialect.name !== 'better-sqlite3') return undefined
  const filename = (
    db.getRawConnection(db.primaryConnectionName)?.config.connection as { filename?: string }
  )?.filename
  return filename && filename !== ':memory:' ? filename : undefined
}

export function closeOwnConnection() {
  closes++
  own?.database.close()
  own = null
}

/**
 * Runs `work` at once on the process's own connection, in one transaction (`write`: taking the
 * write lock first). Undefined when there is none or the database is busy: the caller then goes
 * the pool's way (sqliteDirect, or the query builder on PostgreSQL).
 */
export function sqliteNow<T>(
  work: (connection: SqliteConnection) => T,
  mode: 'read' | 'write' = 'read'
): T | undefined {
  return onOwnConnection(work, mode)?.value
}

/** As sqliteNow, but null (not undefined) when it did not run: `work` may return undefined. */
function onOwnConnection<T>(
  work: (connection: SqliteConnection) => T,
  mode: 'read' | 'write'
): { value: T } | null {
  if (!own) return null
  try {
    return { value: own[mode](work) as T }
  } catch (error) {
    if (isBusy(error)) return null
    throw error
  }
}
