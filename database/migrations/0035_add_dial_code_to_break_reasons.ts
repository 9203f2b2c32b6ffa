import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A break reason's digits for the phone: an agent dials *22 followed by them (feature codes,
 * app/telephony/agents/feature_codes.ts). Optional, unique; several NULLs are allowed on both
 * SQLite and PostgreSQL.
 */
export default class extends BaseSchema {
  protected tableName = 'break_reasons'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.string('dial_code', 4).nullable().unique()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropUnique(['dial_code'])
      table.dropColumn('dial_code')
    })
  }
}
