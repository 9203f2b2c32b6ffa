import { createHash } from 'node:crypto'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { HttpContext } from '@adonisjs/core/http'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditLog from '#models/audit_log'
import type { SqliteConnection } from '#services/sqlite_direct'

export const GENESIS_HASH = '0'.repeat(64)
const CHAIN = 'main'

export interface AuditActor {
  id: number | null
  label: string | null
}

export interface AuditEntryInput {
  action: string
  actor?: AuditActor | null
  target?: { type: string; id: string | number | null; label?: string | null } | null
  before?: Record<string, unknown> | null
  after?: Record<string, unknown> | null
  ipAddress?: string | null
  userAgent?: string | null
  /** Join the caller's transaction so the audit entry commits (or rolls back) with the change. */
  trx?: TransactionClientContract
}

/** Fields that must never be written to the audit log, even as "before/after". */
const REDACTED_KEYS = new Set(['password', 'totpSecret', 'totpPendingSecret', 'totp_secret'])

function redact(values: Record<string, unknown> | null | undefined): string | null {
  if (!values) return null
  const clean: Record<string, unknown> = {}
  for (const key of Object.keys(values).sort()) {
    clean[key] = REDACTED_KEYS.has(key) ? '[redacted]' : values[key]
  }
  return JSON.stringify(clean)
}

export interface HashableEntry {
  id: number
  actorId: number | null
  actorLabel: string | null
  action: string
  targetType: string | null
  targetId: string | null
  targetLabel: string | null
  before: string | null
  after: string | null
  ipAddress: string | null
  userAgent: string | null
  /** Milliseconds since the epoch: identical whichever database stored the timestamp. */
  createdAt: number
  prevHash: string
}

/**
 * The hash covers the row id too, so a row cannot be moved or renumbered.
 */
export function hashEntry(entry: HashableEntry): string {
  const canonical = JSON.stringify([
    entry.id,
    entry.actorId,
    entry.actorLabel,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.targetLabel,
    entry.before,
    entry.after,
    entry.ipAddress,
    entry.userAgent,
    entry.createdAt,
    entry.prevHash,
  ])
  return createHash('sha256').update(canonical).digest('hex')
}

/**
 * The one way anything is written to the audit log. Entries are appended under a lock on the
 * chain head row so concurrent writers (web, telephony worker, jobs) never fork the chain.
 */
class AuditService {
  #queue: Promise<unknown> = Promise.resolve()

  /** Actor, IP and user agent from an HTTP request. */
  fromRequest(ctx: HttpContext): Pick<AuditEntryInput, 'actor' | 'ipAddress' | 'userAgent'> {
    const user = ctx.auth?.user
    return {
      actor: user ? { id: user.id, label: user.email } : null,
      ipAddress: ctx.request.ip(),
      userAgent: ctx.request.header('user-agent')?.slice(0, 500) ?? null,
    }
  }

  async record(input: AuditEntryInput): Promise<AuditLog> {
    // An entry in the caller's transaction never queues: that transaction may already hold the
    // chain head (an earlier entry of the same change) that a queued append is waiting for, and
    // waiting behind it would wait forever. Its own lock serialises it: the head row lock on
    // PostgreSQL, the only connection (knex's SQLite pool has one) on SQLite.
    if (input.trx) return this.#append(input)
    // Serialise this process's own appends; the row lock serialises across processes
    // (PostgreSQL) and SQLite's single writer does the same there.
    const run = this.#queue.then(() => this.#append(input))
    this.#queue = run.catch(() => {})
    return run
  }

  /**
   * On SQLite, inside a `sqliteDirect` transaction: the same append, synchronously, so a process
   * that writes often (the job worker sealing recordings) holds the write lock for microseconds
   * instead of across awaits. Returns the new entry's id.
   */
  appendDirect(connection: SqliteConnection, input: Omit<AuditEntryInput, 'trx'>): number {
    let head = connection
      .prepare('select last_id, last_hash, entries from audit_chain_heads where chain = ?')
      .all(CHAIN)[0] as unknown as ChainHead | undefined
    if (!head) {
      connection
        .prepare(
          'insert into audit_chain_heads (chain, last_id, last_hash, entries) values (?, 0, ?, 0)'
        )
        .run(CHAIN, GENESIS_HASH)
      head = { last_id: 0, last_hash: GENESIS_HASH, entries: 0 }
    }
    const { row, createdAt } = entryRow(input, head, db.connection().dialect.dateTimeFormat)
    const columns = Object.keys(row) as Array<keyof typeof row>
    const inserted = connection
      .prepare(
        `insert into audit_logs (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) returning id`
      )
      .all(...columns.map((c) => row[c]))[0]
    const id = Number(inserted.id)
    const hash = hashOfRow(id, row, createdAt.toMillis())
    connection.prepare('update audit_logs set hash = ? where id = ?').run(hash, id)
    connection
      .prepare(
        'update audit_chain_heads set last_id = ?, last_hash = ?, entries = ? where chain = ?'
      )
      .run(id, hash, Number(head.entries) + 1, CHAIN)
    return id
  }

  async #append(input: AuditEntryInput): Promise<AuditLog> {
    const write = async (trx: TransactionClientContract) => {
      const readHead = async (): Promise<ChainHead | null> => {
        const headQuery = trx.from('audit_chain_heads').where('chain', CHAIN)
        // SQLite has one writer at a time already; PostgreSQL needs the row lock.
        if (trx.dialect.name === 'postgres') headQuery.forUpdate()
        return headQuery.first()
      }
      let head = await readHead()
      if (!head) {
        // The very first entries: two writers may both find no head. The second one's insert
        // waits for the first's to commit and then does nothing; both then read (and lock) it.
        await trx
          .table('audit_chain_heads')
          .insert({ chain: CHAIN, last_id: 0, last_hash: GENESIS_HASH, entries: 0 })
          .onConflict('chain')
          .ignore()
        head = await readHead()
        if (!head) throw new Error('audit chain head missing after insert')
      }
      const { row, createdAt } = entryRow(input, head, trx.dialect.dateTimeFormat)
      const [inserted] = await trx.table('audit_logs').insert(row).returning('id')
      const id = Number(typeof inserted === 'object' ? inserted.id : inserted)
      const hash = hashOfRow(id, row, createdAt.toMillis())
      await trx.from('audit_logs').where('id', id).update({ hash })
      await trx
        .from('audit_chain_heads')
        .where('chain', CHAIN)
        .update({ last_id: id, last_hash: hash, entries: Number(head.entries) + 1 })
      return id
    }

    const id = input.trx ? await write(input.trx) : await db.transaction(write)
    const query = input.trx ? AuditLog.query({ client: input.trx }) : AuditLog.query()
    return query.where('id', id).firstOrFail()
  }
}

interface ChainHead {
  last_id: number
  last_hash: string
  entries: number
}

/** The row to insert (its hash still pending) and the timestamp the hash covers. */
function entryRow(input: AuditEntryInput, head: ChainHead, dateTimeFormat: string) {
  // Whole seconds: SQLite's timestamp format has no fraction, and the hash must round-trip.
  const createdAt = DateTime.utc().startOf('second')
  const row = {
    actor_id: input.actor?.id ?? null,
    actor_label: input.actor?.label ?? null,
    action: input.action,
    target_type: input.target?.type ?? null,
    target_id:
      input.target?.id === null || input.target?.id === undefined ? null : String(input.target.id),
    target_label: input.target?.label ?? null,
    before: redact(input.before),
    after: redact(input.after),
    ip_address: input.ipAddress ?? null,
    user_agent: input.userAgent ?? null,
    created_at: createdAt.toFormat(dateTimeFormat),
    prev_hash: head.last_hash,
    hash: 'pending',
  }
  return { row, createdAt }
}

/** The columns of an `audit_logs` row that its hash covers, as stored. */
export interface AuditRowColumns {
  actor_id: number | null
  actor_label: string | null
  action: string
  target_type: string | null
  target_id: string | null
  target_label: string | null
  before: string | null
  after: string | null
  ip_address: string | null
  user_agent: string | null
  prev_hash: string
}

/** A row's hash: the one mapping from its columns to the entry, for writing and verifying. */
export function hashOfRow(id: number, row: AuditRowColumns, createdAtMs: number): string {
  return hashEntry({
    id,
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    targetLabel: row.target_label,
    before: row.before,
    after: row.after,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    createdAt: createdAtMs,
    prevHash: row.prev_hash,
  })
}

const audit = new AuditService()
export default audit
