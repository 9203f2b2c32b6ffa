import db from '@adonisjs/lucid/services/db'
import Calendar from '#models/calendar'
import InboundRoute from '#models/inbound_route'
import IvrFlowModel from '#models/ivr_flow'
import Prompt from '#models/prompt'
import Queue from '#models/queue'
import type { IvrFlow } from '#telephony/ivr/types'
import { sqliteFirst } from '#services/sqlite_direct'

/** An agent who may take a queue's calls, with what the ACD needs that rarely changes. */
export interface QueueMember {
  userId: number
  endpoint: string
  skills: Record<string, number>
}

export interface QueueMembers {
  members: QueueMember[]
  /** Name of the queue's required skill, if it has one. */
  requiredSkill: string | null
}

export interface LoadedFlow {
  id: number
  version: number
  definition: IvrFlow
  /** Prompt id → what Asterisk plays for it. */
  media: Map<string, string>
}

/**
 * What the telephony worker reads for every call — routes, IVR flows, prompts, calendars, queues
 * and their members — kept in memory and dropped as a whole when the configuration changes. The
 * change counter (table telephony_config_version) is bumped by database triggers on every write
 * to those tables, so nothing that writes them has to remember to tell the worker; the worker
 * compares it once per new call and before matching callers to agents, so a change applies to
 * the next call at once.
 */
export default class TelephonyConfig {
  #version: number | null = null
  /**
   * Bumped at every drop. A load that was already reading when the cache was dropped (a call's
   * routes, a queue for the periodic dispatch) holds what the tables said before the change: it
   * is returned to its caller but not kept, or the change would be missed until the next one.
   */
  #generation = 0
  #routes: InboundRoute[] | null = null
  #flows = new Map<number, LoadedFlow>()
  #queues = new Map<number, Queue | null>()
  #members = new Map<number, QueueMembers>()
  #calendars = new Map<number, Calendar | null>()

  /** Drops what is cached when the configuration changed since it was read. */
  async refresh() {
    // Read for every call and every dispatch round: straight on SQLite when it is SQLite.
    const row = await sqliteFirst(
      'select version from telephony_config_version where id = 1',
      [],
      () => db.from('telephony_config_version').where('id', 1).select('version').first()
    )
    const version = Number(row?.version ?? 0)
    if (version === this.#version) return
    this.#version = version
    this.#generation++
    this.#routes = null
    this.#flows.clear()
    this.#queues.clear()
    this.#members.clear()
    this.#calendars.clear()
  }

  /** Enabled inbound routes, highest priority first. */
  async routes(): Promise<InboundRoute[]> {
    if (this.#routes) return this.#routes
    const generation = this.#generation
    const routes = await InboundRoute.query()
      .where('enabled', true)
      .orderBy('priority', 'desc')
      .orderBy('id')
    if (generation === this.#generation) this.#routes = routes
    return routes
  }

  async queue(id: number): Promise<Queue | null> {
    if (this.#queues.has(id)) return this.#queues.get(id) ?? null
    const generation = this.#generation
    const queue = await Queue.find(id)
    if (generation === this.#generation) this.#queues.set(id, queue)
    return queue
  }

  async calendar(id: number): Promise<Calendar | null> {
    if (this.#calendars.has(id)) return this.#calendars.get(id) ?? null
    const generation = this.#generation
    const calendar = await Calendar.find(id)
    if (generation === this.#generation) this.#calendars.set(id, calendar)
    return calendar
  }

  async flow(id: number): Promise<LoadedFlow> {
    const cached = this.#flows.get(id)
    if (cached) return cached
    const generation = this.#generation
    const flow = await IvrFlowModel.findOrFail(id)
    // A prompt row is either an upload (converted into Asterisk's recording directory) or the
    // name of one of Asterisk's own sounds; the flow refers to both by id.
    const prompts = await Prompt.query().select('id', 'kind', 'sound')
    const loaded: LoadedFlow = {
      id: flow.id,
      version: flow.version,
      definition: { entryNodeId: flow.entryNode, nodes: flow.nodes as IvrFlow['nodes'] },
      media: new Map(
        prompts.map((p) => [
          String(p.id),
          p.kind === 'builtin' && p.sound ? `sound:${p.sound}` : `recording:prompts/${p.id}`,
        ])
      ),
    }
    if (generation === this.#generation) this.#flows.set(id, loaded)
    return loaded
  }

  /** The queue's agents who have a phone, with their skills, and the skill the queue needs. */
  async members(queue: Queue): Promise<QueueMembers> {
    const cached = this.#members.get(queue.id)
    if (cached) return cached
    const generation = this.#generation
    const rows = await db
      .from('queue_agents')
      .join('agent_devices', 'agent_devices.user_id', 'queue_agents.user_id')
      .where('queue_agents.queue_id', queue.id)
      .orderBy('queue_agents.user_id')
      .select('queue_agents.user_id', 'agent_devices.endpoint')
    const ids = rows.map((r) => Number(r.user_id))
    const skills = ids.length
      ? await db
          .from('agent_skills')
          .join('skills', 'skills.id', 'agent_skills.skill_id')
          .whereIn('agent_skills.user_id', ids)
          .select('agent_skills.user_id', 'skills.name', 'agent_skills.level')
      : []
    const byUser = new Map<number, Record<string, number>>()
    for (const s of skills) {
      const userId = Number(s.user_id)
      const own = byUser.get(userId) ?? {}
      own[s.name] = Number(s.level)
      byUser.set(userId, own)
    }
    const required = queue.requiredSkillId
      ? await db.from('skills').where('id', queue.requiredSkillId).select('name').first()
      : null
    const loaded: QueueMembers = {
      members: rows.map((r) => ({
        userId: Number(r.user_id),
        endpoint: r.endpoint,
        skills: byUser.get(Number(r.user_id)) ?? {},
      })),
      requiredSkill: required?.name ?? null,
    }
    if (generation === this.#generation) this.#members.set(queue.id, loaded)
    return loaded
  }
}
