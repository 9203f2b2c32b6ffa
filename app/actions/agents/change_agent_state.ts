import db from '@adonisjs/lucid/services/db'
import AgentState, { type AgentStateName } from '#models/agent_state'
import BreakReason from '#models/break_reason'
import type User from '#models/user'
import audit, { type AuditActor } from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import agentStates from '#telephony/agents/agent_state_service'
import { AGENT_STATES } from '#telephony/acd/types'
import { canTransition, type AgentEventType } from '#telephony/acd/agent_state'

/** The states a person asks for; ringing, on call, wrap-up and missed are the ACD's to set. */
export const REQUESTED_STATES = ['available', 'break', 'offline'] as const
export type RequestedState = (typeof REQUESTED_STATES)[number]

/** The roles that take calls and so have a status. */
export const CALL_TAKER_ROLES = ['agent', 'team_lead'] as const

const EVENTS: Record<RequestedState, AgentEventType> = {
  available: 'go_available',
  break: 'go_break',
  offline: 'log_off',
}

/** Where the request came from; stored in the audit entry. */
export type StateChangeChannel = 'web' | 'phone'

export interface ChangeAgentStateInput {
  agent: User
  to: RequestedState
  /** A break reason code (break_reasons.code); only for `break`, null for a break without one. */
  reason?: string | null
  /** Who asked: the agent themself, or a supervisor / team lead forcing the state. */
  actor: AuditActor & { id: number }
  via: StateChangeChannel
  ipAddress?: string | null
  userAgent?: string | null
  /** The phone's endpoint, for a feature code. */
  endpoint?: string | null
}

export interface ChangeAgentStateResult {
  changed: boolean
  state: AgentStateName
  reason: string | null
}

/**
 * One agent's own status request (available, break with a reason, offline) or a supervisor's
 * forcing of it, from the web page or a feature code on the phone. The rules come from the agent
 * state machine (app/telephony/acd/agent_state.ts): nobody changes the status of an agent who is
 * ringing or on a call; the request is refused, not queued, and the agent asks again during
 * wrap-up (which a break, available or offline then ends early). The change and its audit entry
 * commit together; asking for the state one is already in changes and records nothing.
 */
export default class ChangeAgentState {
  async handle(input: ChangeAgentStateInput): Promise<ChangeAgentStateResult> {
    const { agent, to, actor } = input
    if (!(CALL_TAKER_ROLES as readonly string[]).includes(agent.role) || agent.isDisabled) {
      throw new DomainError('agent_state.not_an_agent', 'agent')
    }
    const reason = to === 'break' ? (input.reason ?? null) : null
    if (reason !== null) {
      const known = await BreakReason.query().where('code', reason).where('active', true).first()
      if (!known) throw new DomainError('agent_state.unknown_reason', 'reason', { reason })
    }
    const allowedFrom = AGENT_STATES.filter((state) => canTransition(state, EVENTS[to]))

    return db.transaction(async (trx) => {
      const currentRow = await AgentState.query({ client: trx }).where('user_id', agent.id).first()
      const before = { state: currentRow?.state ?? 'offline', reason: currentRow?.reason ?? null }
      if (!allowedFrom.includes(before.state)) throw this.#busy(before.state)
      if (before.state === to && before.reason === reason) {
        return { changed: false, state: to, reason }
      }
      const applied = await agentStates.set(agent.id, to, {
        reason,
        changedBy: actor.id,
        onlyFrom: allowedFrom,
        client: trx,
      })
      // The ACD offered a call between our read and our write.
      if (!applied) {
        const now = await AgentState.query({ client: trx }).where('user_id', agent.id).first()
        throw this.#busy(now?.state ?? 'offline')
      }
      await audit.record({
        trx,
        action: actor.id === agent.id ? 'agent.state_changed' : 'agent.state_forced',
        actor,
        target: { type: 'user', id: agent.id, label: agent.email },
        before,
        after: {
          state: to,
          reason,
          via: input.via,
          ...(input.endpoint ? { endpoint: input.endpoint } : {}),
        },
        ipAddress: input.ipAddress ?? null,
        userAgent: input.userAgent ?? null,
      })
      return { changed: true, state: to, reason }
    })
  }

  #busy(state: AgentStateName) {
    return new DomainError('agent_state.busy', 'state', { state }, 409)
  }
}
