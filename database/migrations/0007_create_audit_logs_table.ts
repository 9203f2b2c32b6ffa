import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Append-only, hash-chained audit log. `hash` covers every field of the row plus `prev_hash`, so
 * editing a row breaks its own hash and deleting one breaks the next row's link; the chain head
 * (audit_chain_heads) detects a deleted tail.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('audit_logs', (table) => {
      table.bigIncrements('id').notNullable()
      table.integer('actor_id').unsigned().nullable().index()
      table.string('actor_label', 254).nullable()
      table.string('action', 80).notNullable().index()
      table.string('target_type', 60).nullable()
      table.string('target_id', 64).nullable()
      table.string('target_label', 254).nullable()
      table.text('before').nullable()
      table.text('after').nullable()
      table.string('ip_address', 64).nullable()
      table.string('user_agent', 500).nullable()
      table.timestamp('created_at').notNullable().index()
      table.string('prev_hash', 64).notNullable()
      table.string('hash', 64).notNullable()
      table.index(['target_type', 'target_id'])
    })
    this.schema.createTable('audit_chain_heads', (table) => {
      table.string('chain', 20).primary()
      table.bigInteger('last_id').notNullable()
      table.string('last_hash', 64).notNullable()
      table.bigInteger('entries').notNullable()
    })
  }

  async down() {
    this.schema.dropTable('audit_chain_heads')
    this.schema.dropTable('audit_logs')
  }
}
