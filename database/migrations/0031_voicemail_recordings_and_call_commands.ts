import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Voicemail audio lives in the recordings vault like call audio (encrypted at rest, retention,
 * audited streaming): recordings get a kind, voicemails point at their recording. In-call
 * commands from the web (blind transfer, hold) reach the telephony worker through call_commands,
 * which the worker polls: durable, and it works while Redis is down.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('recordings', (table) => {
      // call | voicemail
      table.string('kind', 12).notNullable().defaultTo('call')
    })
    this.schema.alterTable('voicemails', (table) => {
      table
        .bigInteger('recording_id')
        .unsigned()
        .nullable()
        .references('recordings.id')
        .onDelete('SET NULL')
    })
    this.schema.createTable('call_commands', (table) => {
      table.bigIncrements('id').notNullable()
      table.string('call_uuid', 36).notNullable()
      // transfer | hold | unhold
      table.string('kind', 20).notNullable()
      table.json('payload').notNullable()
      table
        .integer('requested_by')
        .unsigned()
        .nullable()
        .references('users.id')
        .onDelete('SET NULL')
      // pending → running (the worker claimed it) → done | failed
      table.string('status', 10).notNullable().defaultTo('pending')
      table.string('result', 200).nullable()
      table.timestamp('created_at').notNullable()
      table.timestamp('handled_at').nullable()
      table.index(['status', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('call_commands')
    this.schema.alterTable('voicemails', (table) => {
      table.dropForeign(['recording_id'])
      table.dropColumn('recording_id')
    })
    this.schema.alterTable('recordings', (table) => {
      table.dropColumn('kind')
    })
  }
}
