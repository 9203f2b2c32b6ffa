import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { GENESIS_HASH, hashOfRow } from '#services/audit_service'

export interface VerifyResult {
  ok: boolean
  checked: number
  /** The first entry that does not match the chain, and why. */
  brokenAt: { id: number | null; reason: 'edited' | 'link_broken' | 'tail_missing' } | null
}

export function timestampToMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'number') return value
  return DateTime.fromSQL(String(value), { zone: 'utc' }).toMillis()
}

/**
 * Walks the chain in id order, in batches, recomputing each hash. A deleted row shows as the
 * next row's prev_hash not matching; a deleted tail shows against the chain head.
 */
export async function verifyAuditChain(batchSize = 2000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH
  let lastId = 0
  let checked = 0
  for (;;) {
    const rows = await db
      .from('audit_logs')
      .where('id', '>', lastId)
      .orderBy('id', 'asc')
      .limit(batchSize)
    if (rows.length === 0) break
    for (const row of rows) {
      const id = Number(row.id)
      if (row.prev_hash !== prevHash) {
        return { ok: false, checked, brokenAt: { id, reason: 'link_broken' } }
      }
      const expected = hashOfRow(
        id,
        { ...row, actor_id: row.actor_id === null ? null : Number(row.actor_id) },
        timestampToMillis(row.created_at)
      )
      if (expected !== row.hash) {
        return { ok: false, checked, brokenAt: { id, reason: 'edited' } }
      }
      prevHash = row.hash
      lastId = id
      checked++
    }
  }
  const head = await db.from('audit_chain_heads').where('chain', 'main').first()
  if (head && (Number(head.last_id) !== lastId || head.last_hash !== prevHash)) {
    return { ok: false, checked, brokenAt: { id: Number(head.last_id), reason: 'tail_missing' } }
  }
  return { ok: true, checked, brokenAt: null }
}
