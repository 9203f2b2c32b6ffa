import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import User from '#models/user'
import Team from '#models/team'
import Skill from '#models/skill'
import Queue from '#models/queue'
import QueueAgent from '#models/queue_agent'
import AgentSkill from '#models/agent_skill'
import AgentDevice from '#models/agent_device'
import AgentState from '#models/agent_state'
import BreakReason from '#models/break_reason'
import SaveSkill from '#actions/telephony_config/save_skill'
import SaveAgentSkills from '#actions/telephony_config/save_agent_skills'
import SaveBreakReason from '#actions/telephony_config/save_break_reason'
import SaveAgentDevice from '#actions/telephony_config/save_agent_device'
import TelephonyPolicy from '#policies/telephony_policy'
import AgentAdminTransformer, { type AgentLookups } from '#transformers/agent_admin_transformer'
import AgentDeviceTransformer from '#transformers/agent_device_transformer'
import SkillTransformer from '#transformers/skill_transformer'
import BreakReasonTransformer from '#transformers/break_reason_transformer'
import TeamTransformer from '#transformers/team_transformer'
import { changed, renderPage, wantsJson } from '#transformers/page_or_json'
import {
  agentListValidator,
  agentSkillsValidator,
  breakReasonValidator,
  createDeviceValidator,
  skillValidator,
  telephonyMessages,
  updateDeviceValidator,
} from '#validators/telephony'

/** The roles that take calls. */
const CALL_TAKERS: string[] = ['agent', 'team_lead']

function groupBy<T>(rows: T[], key: (row: T) => number) {
  const map = new Map<number, T[]>()
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row])
  return map
}

async function lookups(userIds: number[]): Promise<AgentLookups> {
  const [devices, skills, members, states] = await Promise.all([
    AgentDevice.query().whereIn('user_id', userIds).orderBy('endpoint'),
    AgentSkill.query().whereIn('user_id', userIds).preload('skill').orderBy('skill_id'),
    QueueAgent.query().whereIn('user_id', userIds).orderBy('queue_id'),
    AgentState.query().whereIn('user_id', userIds),
  ])
  const served = await Queue.query().whereIn('id', [...new Set(members.map((m) => m.queueId))])
  const queues = new Map(served.map((q) => [q.id, q]))
  return {
    devices: groupBy(devices, (d) => d.userId),
    skills: groupBy(skills, (s) => s.userId),
    queues: groupBy(
      members.map((member) => ({ member, queue: queues.get(member.queueId)! })),
      ({ member }) => member.userId
    ),
    states: new Map(states.map((s) => [s.userId, s])),
  }
}

/**
 * The people who take calls, as the ACD sees them: phones (PJSIP endpoints), skills, queues and
 * status; plus the skills and break reasons an admin maintains. The SIP password of a phone is
 * returned once, by create and rotate, and never again.
 */
export default class AgentsAdminController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const q = await agentListValidator.validate(ctx.request.qs(), {
      messagesProvider: telephonyMessages(ctx),
    })
    const query = User.query().whereIn('role', CALL_TAKERS).preload('team')
    if (q.search) {
      const term = `%${q.search.toLowerCase()}%`
      query.where((w) =>
        w.whereRaw('LOWER(full_name) LIKE ?', [term]).orWhereRaw('LOWER(email) LIKE ?', [term])
      )
    }
    if (q.teamId) query.where('team_id', q.teamId)
    const page = await query
      .orderBy('full_name')
      .orderBy('id')
      .paginate(q.page ?? 1, q.perPage ?? 50)
    const agents = page.all()
    const found = await lookups(agents.map((a) => a.id))
    const queues = await Queue.query().select('id', 'name').orderBy('name')
    return renderPage(ctx, 'telephony/agents/index', {
      agents: AgentAdminTransformer.transform(agents, found),
      meta: page.getMeta(),
      filters: q,
      teams: TeamTransformer.transform(await Team.query().orderBy('name')),
      skills: SkillTransformer.transform(await Skill.query().orderBy('name')),
      queues: queues.map((x) => ({ id: x.id, name: x.name })),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async updateSkills(ctx: HttpContext, save: SaveAgentSkills) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const agent = await User.query()
      .where('id', ctx.params.id)
      .whereIn('role', CALL_TAKERS)
      .firstOrFail()
    const { skills } = await ctx.request.validateUsing(agentSkillsValidator, {
      messagesProvider: telephonyMessages(ctx),
    })
    await save.handle(ctx, agent, skills)
    const found = await lookups([agent.id])
    return changed(ctx, {
      flash: 'telephony.agent_skills_saved',
      body: { agent: AgentAdminTransformer.transform(agent, found) },
    })
  }

  async skills(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const skills = await Skill.query()
      .select('skills.*')
      .select(
        Skill.query()
          .client.from('agent_skills')
          .count('*')
          .whereColumn('agent_skills.skill_id', 'skills.id')
          .as('agents_count')
      )
      .orderBy('name')
    return renderPage(ctx, 'telephony/skills/index', {
      skills: SkillTransformer.transform(skills),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async storeSkill(ctx: HttpContext, save: SaveSkill) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(skillValidator, {
      meta: {},
      messagesProvider: telephonyMessages(ctx),
    })
    const skill = await save.create(ctx, input)
    return changed(ctx, {
      flash: 'telephony.skill_created',
      path: '/telephony/skills',
      status: 201,
      body: { skill: SkillTransformer.transform(skill) },
    })
  }

  @inject()
  async updateSkill(ctx: HttpContext, save: SaveSkill) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const skill = await Skill.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(skillValidator, {
      meta: { skillId: skill.id },
      messagesProvider: telephonyMessages(ctx),
    })
    await save.update(ctx, skill, input)
    return changed(ctx, {
      flash: 'telephony.skill_updated',
      path: '/telephony/skills',
      body: { skill: SkillTransformer.transform(skill) },
    })
  }

  @inject()
  async destroySkill(ctx: HttpContext, save: SaveSkill) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await Skill.findOrFail(ctx.params.id))
    return changed(ctx, { flash: 'telephony.skill_deleted', path: '/telephony/skills' })
  }

  async breakReasons(ctx: HttpContext) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('viewConfig')
    const reasons = await BreakReason.query().orderBy('code')
    return renderPage(ctx, 'telephony/break_reasons/index', {
      breakReasons: BreakReasonTransformer.transform(reasons),
      canManage: await ctx.bouncer.with(TelephonyPolicy).allows('manage'),
    })
  }

  @inject()
  async storeBreakReason(ctx: HttpContext, save: SaveBreakReason) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(breakReasonValidator, {
      meta: {},
      messagesProvider: telephonyMessages(ctx),
    })
    const reason = await save.create(ctx, input)
    return changed(ctx, {
      flash: 'telephony.break_reason_created',
      path: '/telephony/break-reasons',
      status: 201,
      body: { breakReason: BreakReasonTransformer.transform(reason) },
    })
  }

  @inject()
  async updateBreakReason(ctx: HttpContext, save: SaveBreakReason) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const reason = await BreakReason.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(breakReasonValidator, {
      meta: { breakReasonId: reason.id },
      messagesProvider: telephonyMessages(ctx),
    })
    await save.update(ctx, reason, input)
    return changed(ctx, {
      flash: 'telephony.break_reason_updated',
      path: '/telephony/break-reasons',
      body: { breakReason: BreakReasonTransformer.transform(reason) },
    })
  }

  @inject()
  async destroyBreakReason(ctx: HttpContext, save: SaveBreakReason) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await BreakReason.findOrFail(ctx.params.id))
    return changed(ctx, {
      flash: 'telephony.break_reason_deleted',
      path: '/telephony/break-reasons',
    })
  }

  @inject()
  async storeDevice(ctx: HttpContext, save: SaveAgentDevice) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const input = await ctx.request.validateUsing(createDeviceValidator, {
      messagesProvider: telephonyMessages(ctx),
    })
    const { device, password } = await save.create(ctx, input)
    return this.#showPasswordOnce(ctx, device, password, 201)
  }

  @inject()
  async updateDevice(ctx: HttpContext, save: SaveAgentDevice) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const device = await AgentDevice.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(updateDeviceValidator, {
      messagesProvider: telephonyMessages(ctx),
    })
    await save.update(ctx, device, input)
    return changed(ctx, {
      flash: 'telephony.device_updated',
      path: '/telephony/agents',
      body: { device: AgentDeviceTransformer.transform(device) },
    })
  }

  @inject()
  async rotateDevicePassword(ctx: HttpContext, save: SaveAgentDevice) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    const device = await AgentDevice.findOrFail(ctx.params.id)
    const password = await save.rotatePassword(ctx, device)
    return this.#showPasswordOnce(ctx, device, password, 200)
  }

  @inject()
  async destroyDevice(ctx: HttpContext, save: SaveAgentDevice) {
    await ctx.bouncer.with(TelephonyPolicy).authorize('manage')
    await save.delete(ctx, await AgentDevice.findOrFail(ctx.params.id))
    return changed(ctx, { flash: 'telephony.device_deleted', path: '/telephony/agents' })
  }

  /**
   * The password goes out in this response only: not flashed (the session store is a database
   * table), not cached, not logged.
   */
  async #showPasswordOnce(ctx: HttpContext, device: AgentDevice, password: string, status: number) {
    ctx.response.header('cache-control', 'no-store')
    const props = { device: AgentDeviceTransformer.transform(device), password }
    if (wantsJson(ctx)) ctx.response.status(status)
    return renderPage(ctx, 'telephony/agents/device_password', props)
  }
}
