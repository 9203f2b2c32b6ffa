import { BaseSchema } from '@adonisjs/lucid/schema'

/** Background processes (telephony worker, job worker) report here so /health can see them. */
export default class extends BaseSchema {
  protected tableName = 'service_heartbeats'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('service', 40).primary()
      table.string('status', 20).notNullable()
      table.text('detail').nullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
