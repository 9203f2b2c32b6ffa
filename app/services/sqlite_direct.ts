import db from '@adonisjs/lucid/services/db'

/** The part of a better-sqlite3 connection the direct writes use. */
export interface SqliteConnection {
  prepare(sql: string): {
    run(...values: unknown[]): { changes: number }
    all(...values: unknown[]): Record<string, unknown>[]
  }
  transaction<T>(work: () => T): () => T
}

/**
 * The telephony worker's hottest writes (call events and call rows, agents' state changes, a
 * dozen statements per call) run on better-sqlite3's own connection when the database is the
 * embedded SQLite: the query builder spent about ten times as long building, pooling and
 * wrapping each statement as SQLite spent running it. The work runs synchronously in one
 * transaction, on the pool's connection taken the ordinary way (so never beside a knex
 * transaction), through the same cache of prepared statements (config/database.ts).
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
  const connection = await knex.client.acquireConnection()
  try {
    return connection.transaction(() => work(connection))()
  } finally {
    await knex.client.releaseConnection(connection)
  }
}

/** A value as better-sqlite3 binds it: it refuses booleans and undefined. */
export function sqliteValue(value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  return value
}
