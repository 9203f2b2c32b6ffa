import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * What a call leaves behind: recordings (encrypted at rest, kept until their retention date),
 * voicemails and callback requests. A callback keeps the caller's original queue entry time so
 * they keep their place.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('recordings', (table) => {
      table.bigIncrements('id').notNullable()
      table
        .bigInteger('call_id')
        .unsigned()
        .notNullable()
        .references('calls.id')
        .onDelete('CASCADE')
      table.string('storage_path', 500).notNullable()
      table.string('format', 10).notNullable()
      table.bigInteger('bytes').notNullable().defaultTo(0)
      table.integer('duration_ms').notNullable().defaultTo(0)
      table.boolean('encrypted').notNullable().defaultTo(false)
      table.string('key_id', 40).nullable()
      table.string('iv', 64).nullable()
      table.string('auth_tag', 64).nullable()
      table.string('sha256', 64).nullable()
      table.timestamp('retention_until').nullable()
      table.timestamp('deleted_at').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['call_id'])
      table.index(['retention_until'])
    })

    this.schema.createTable('voicemails', (table) => {
      table.bigIncrements('id').notNullable()
      table
        .bigInteger('call_id')
        .unsigned()
        .notNullable()
        .references('calls.id')
        .onDelete('CASCADE')
      table.integer('queue_id').unsigned().nullable().references('queues.id').onDelete('SET NULL')
      table.integer('agent_id').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.string('recording_path', 500).notNullable()
      table.integer('duration_ms').notNullable().defaultTo(0)
      table.integer('listened_by').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('listened_at').nullable()
      table.timestamp('created_at').notNullable()
      table.index(['call_id'])
      table.index(['queue_id', 'listened_at'])
    })

    this.schema.createTable('callback_requests', (table) => {
      table.bigIncrements('id').notNullable()
      table.bigInteger('call_id').unsigned().nullable().references('calls.id').onDelete('SET NULL')
      table.string('number', 32).notNullable()
      table.integer('queue_id').unsigned().nullable().references('queues.id').onDelete('SET NULL')
      // When the caller first entered the queue: their place in line.
      table.timestamp('entered_at').notNullable()
      // pending | done | cancelled
      table.string('status', 12).notNullable().defaultTo('pending')
      table.integer('handled_by').unsigned().nullable().references('users.id').onDelete('SET NULL')
      table.timestamp('handled_at').nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('updated_at').notNullable()
      table.index(['status', 'queue_id', 'entered_at'])
      table.index(['call_id'])
    })
  }

  async down() {
    this.schema.dropTable('callback_requests')
    this.schema.dropTable('voicemails')
    this.schema.dropTable('recordings')
  }
}
