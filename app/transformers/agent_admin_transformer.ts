import { BaseTransformer } from '@adonisjs/core/transformers'
import type User from '#models/user'
import type AgentDevice from '#models/agent_device'
import type AgentSkill from '#models/agent_skill'
import type AgentState from '#models/agent_state'
import type QueueAgent from '#models/queue_agent'
import type Queue from '#models/queue'

/** What the agents page needs about each agent, gathered by user id. */
export interface AgentLookups {
  devices: Map<number, AgentDevice[]>
  skills: Map<number, AgentSkill[]>
  queues: Map<number, Array<{ member: QueueAgent; queue: Queue }>>
  states: Map<number, AgentState>
}

export default class AgentAdminTransformer extends BaseTransformer<User> {
  constructor(
    resource: User,
    protected lookups: AgentLookups
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
      isDisabled: u.isDisabled,
      devices: (this.lookups.devices.get(u.id) ?? []).map((d) => ({
        id: d.id,
        endpoint: d.endpoint,
        transport: d.transport,
        secretRotatedAt: d.secretRotatedAt.toISO(),
        lastRegisteredAt: d.lastRegisteredAt?.toISO() ?? null,
        lastContact: d.lastContact,
        lastUserAgent: d.lastUserAgent,
        lastIp: d.lastIp,
      })),
      skills: (this.lookups.skills.get(u.id) ?? []).map((s) => ({
        skillId: s.skillId,
        name: s.skill?.name ?? null,
        level: s.level,
      })),
      queues: (this.lookups.queues.get(u.id) ?? []).map(({ member, queue }) => ({
        queueId: queue.id,
        name: queue.name,
        penalty: member.penalty,
      })),
      state: state
        ? { state: state.state, reason: state.reason, since: state.since.toISO() }
        : null,
    }
  }
}
