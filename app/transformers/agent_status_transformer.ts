import { BaseTransformer } from '@adonisjs/core/transformers'
import type User from '#models/user'
import type AgentState from '#models/agent_state'

/** What the status board and an agent's own page show about one agent. */
export interface AgentStatusLookups {
  states: Map<number, AgentState>
  endpoints: Map<number, string[]>
}

/** An agent with no status row has never signed on: offline, since never. */
export default class AgentStatusTransformer extends BaseTransformer<User> {
  constructor(
    resource: User,
    protected lookups: AgentStatusLookups
  ) {
    super(resource)
  }

  toObject() {
    const u = this.resource
    const state = this.lookups.states.get(u.id)
    return {
      id: u.id,
      fullName: u.fullName,
      email: u.email,
      role: u.role,
      teamId: u.teamId,
      teamName: u.team?.name ?? null,
      endpoints: this.lookups.endpoints.get(u.id) ?? [],
      state: state?.state ?? 'offline',
      reason: state?.reason ?? null,
      since: state?.since.toISO() ?? null,
    }
  }
}
