import { DateTime } from 'luxon'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import { GENESIS_HASH, hashEntry } from '#services/audit_service'
import { verifyAuditChain } from '#services/audit_verifier'

/**
 * Fills the audit log up to N entries (a valid chain, written in bulk) and times a full
 * verification, the same code path as `node ace audit:verify`.
 */
export default class BenchAudit extends BaseCommand {
  static commandName = 'bench:audit'
  static description = 'Benchmark audit chain verification over N entries'
  static options: CommandOptions = { startApp: true }

  @flags.number({ description: 'Entries in the log', default: 100_000 })
  declare entries: number

  async run() {
    const head = await db.from('audit_chain_heads').where('chain', 'main').first()
    let lastId = Number(head?.last_id ?? 0)
    let prevHash: string = head?.last_hash ?? GENESIS_HASH
    let count = Number(head?.entries ?? 0)
    const t0 = performance.now()
    const dialect = db.connection().dialect
    while (count < this.entries) {
      // SQLite caps a multi-row insert at 500 terms.
      const batch = Math.min(400, this.entries - count)
      const rows: Record<string, unknown>[] = []
      const createdAt = DateTime.utc().startOf('second')
      for (let i = 0; i < batch; i++) {
        const id = ++lastId
        const row = {
          id,
          actorId: 1,
          actorLabel: 'bench@bench.local',
          action: 'bench.entry',
          targetType: 'user',
          targetId: String(id % 500),
          targetLabel: `用户 ${id % 500}`,
          before: JSON.stringify({ role: 'agent' }),
          after: JSON.stringify({ role: 'supervisor' }),
          ipAddress: '10.0.0.1',
          userAgent: 'bench',
          createdAt: createdAt.toMillis(),
          prevHash,
        }
        const hash = hashEntry(row)
        rows.push({
          id,
          actor_id: row.actorId,
          actor_label: row.actorLabel,
          action: row.action,
          target_type: row.targetType,
          target_id: row.targetId,
          target_label: row.targetLabel,
          before: row.before,
          after: row.after,
          ip_address: row.ipAddress,
          user_agent: row.userAgent,
          created_at: createdAt.toFormat(dialect.dateTimeFormat),
          prev_hash: prevHash,
          hash,
        })
        prevHash = hash
      }
      await db.transaction(async (trx) => {
        await trx.insertQuery().table('audit_logs').multiInsert(rows)
        await trx.from('audit_chain_heads').where('chain', 'main').delete()
        await trx
          .table('audit_chain_heads')
          .insert({ chain: 'main', last_id: lastId, last_hash: prevHash, entries: count + batch })
      })
      count += batch
    }
    if (dialect.name === 'postgres') {
      await db.rawQuery(`SELECT setval(pg_get_serial_sequence('audit_logs', 'id'), ?)`, [lastId])
    }
    const filled = performance.now() - t0
    const v0 = performance.now()
    const result = await verifyAuditChain()
    const seconds = (performance.now() - v0) / 1000
    this.logger.info(
      `audit log: ${count} entries (${dialect.name}); filling took ${(filled / 1000).toFixed(1)} s`
    )
    this.logger.info(
      `  verification: ${result.checked} entries in ${seconds.toFixed(2)} s (${Math.round(result.checked / seconds)} entries/s), intact: ${result.ok}`
    )
    if (!result.ok) this.exitCode = 1
  }
}
