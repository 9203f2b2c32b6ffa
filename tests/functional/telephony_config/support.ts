import AuditLog from '#models/audit_log'
import type User from '#models/user'
import { HttpAgent } from '#tests/helpers/http_agent'
import { makeUser, PASSWORD } from '#tests/helpers/accounts'
import type { Role } from '#app/auth/roles'

/** A browser signed in as a new user of `role`, holding a CSRF token for its next requests. */
export async function signedIn(role: Role, overrides: Partial<User> = {}) {
  const user = await makeUser(role, overrides)
  const agent = new HttpAgent(
    `${role}-telephony`,
    `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
  )
  await agent.signIn(user.email, PASSWORD)
  await agent.visit('/')
  return { user, agent }
}

/** A JSON API call (Accept: application/json), as scripts and the future pages make them. */
export function api(
  agent: HttpAgent,
  method: string,
  path: string,
  body?: Record<string, unknown>
) {
  return agent.request(method, path, { json: body ?? {}, accept: 'application/json' })
}

export function auditEntries(action: string, targetId?: string | number) {
  const query = AuditLog.query().where('action', action)
  if (targetId !== undefined) query.where('target_id', String(targetId))
  return query.orderBy('id')
}

/** Field → messages, from a 422 JSON body. */
export function fieldErrors(json: any): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const e of json?.errors ?? []) (out[e.field] ??= []).push(e.message)
  return out
}
