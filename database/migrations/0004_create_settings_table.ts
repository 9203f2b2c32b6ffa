import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Branch-wide settings an admin changes in the UI (MFA per role, session policy...). One row
 * per key, value stored as JSON text so both SQLite and PostgreSQL hold it the same way.
 */
export default class extends BaseSchema {
  protected tableName = 'settings'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.string('key', 100).primary()
      table.text('value').notNullable()
      table.timestamp('updated_at').notNullable()
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
