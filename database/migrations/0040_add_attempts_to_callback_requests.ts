import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The queue calls callers back itself: each request remembers how often it was dialled, the last
 * try, and the call that reached the customer. Status gains `dialing` (an agent is on it now)
 * and `failed` (no answer after the last attempt).
 */
export default class extends BaseSchema {
  protected tableName = 'callback_requests'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('last_attempt_at').nullable()
      table
        .bigInteger('callback_call_id')
        .unsigned()
        .nullable()
        .references('calls.id')
        .onDelete('SET NULL')
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropForeign(['callback_call_id'])
      table.dropColumn('callback_call_id')
      table.dropColumn('last_attempt_at')
      table.dropColumn('attempts')
    })
  }
}
