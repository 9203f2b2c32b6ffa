import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'

/** A DateTime formatted the way the connected database stores timestamps, for raw comparisons. */
export function sqlTime(value: DateTime): string {
  return value.toUTC().toFormat(db.connection().dialect.dateTimeFormat)
}

/** Rows an UPDATE or DELETE touched: knex answers a number on SQLite, an array on PostgreSQL. */
export function affectedRows(result: unknown): number {
  return Number(Array.isArray(result) ? result[0] : result)
}
