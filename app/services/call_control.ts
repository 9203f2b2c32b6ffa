import db from '@adonisjs/lucid/services/db'
import telephonyConfig from '#config/telephony'
import Queue from '#models/queue'
import User from '#models/user'

/** What the transfer dialog offers: queues, agents who have a phone, and outside numbers. */
export interface CallControlOptions {
  queues: { id: number; name: string }[]
  agents: { id: number; fullName: string }[]
  /** An outbound trunk is configured, so an outside number can be dialled. */
  canDialOut: boolean
}

/**
 * The transfer targets for a call now with `currentAgentId` (left out: the worker refuses a
 * transfer to the same agent). Only enabled accounts with a phone can ring.
 */
export async function callControlOptions(
  currentAgentId: number | null
): Promise<CallControlOptions> {
  const [queues, agents] = await Promise.all([
    Queue.query().select('id', 'name').orderBy('name'),
    User.query()
      .select('id', 'full_name')
      .where('is_disabled', false)
      .whereIn('id', db.from('agent_devices').select('user_id'))
      .if(currentAgentId !== null, (q) => q.whereNot('id', currentAgentId!))
      .orderBy('full_name'),
  ])
  return {
    queues: queues.map((q) => ({ id: q.id, name: q.name })),
    agents: agents.map((a) => ({ id: a.id, fullName: a.fullName })),
    // The worker reads the same setting: without a trunk it refuses outside numbers (no_trunk).
    canDialOut: telephonyConfig.outboundTrunk !== null,
  }
}

/** Whether the caller is on hold now: the call's latest hold or unhold event says so. */
export async function isOnHold(callId: number): Promise<boolean> {
  const latest = await db
    .from('call_events')
    .where('call_id', callId)
    .whereIn('type', ['hold', 'unhold'])
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .first()
  return latest?.type === 'hold'
}
