import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * One row per signed-in browser: what a user sees under "My sessions" and what an admin revokes.
 * The row outlives the session store entry so that a revoked browser can be told why.
 */
export default class extends BaseSchema {
  protected tableName = 'user_sessions'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.increments('id').notNullable()
      table.string('session_id', 64).notNullable().unique()
      table.integer('user_id').unsigned().notNullable().references('users.id').onDelete('CASCADE')
      table.string('ip_address', 64).nullable()
      table.string('user_agent', 500).nullable()
      table.string('device', 120).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('last_seen_at').notNullable()
      table.timestamp('ended_at').nullable()
      // signed_out | signed_in_elsewhere | revoked | revoked_by_admin | idle_timeout | expired | account_locked
      table.string('end_reason', 40).nullable()
      table.index(['user_id', 'ended_at'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
