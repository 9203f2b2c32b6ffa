import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import { DateTime } from 'luxon'
import User from '#models/user'
import Team from '#models/team'
import AgentState from '#models/agent_state'
import AgentDevice from '#models/agent_device'
import BreakReason from '#models/break_reason'
import AgentStatePolicy from '#policies/agent_state_policy'
import ChangeAgentState, { CALL_TAKER_ROLES } from '#actions/agents/change_agent_state'
import AgentStatusTransformer, {
  type AgentStatusLookups,
} from '#transformers/agent_status_transformer'
import BreakReasonTransformer from '#transformers/break_reason_transformer'
import TeamTransformer from '#transformers/team_transformer'
import { changed, renderPage } from '#transformers/page_or_json'
import { telephonyMessages } from '#validators/telephony'
import {
  agentBoardValidator,
  forcedStateValidator,
  ownStatePageValidator,
  ownStateValidator,
} from '#validators/agent_state'
import { FEATURE_CODES } from '#telephony/agents/feature_codes'
import { agentTimeInStates } from '#telephony/agents/time_in_state'

/** "Today" for a browser that has not told us its zone: the branches are in China. */
const DEFAULT_TIME_ZONE = 'Asia/Shanghai'

async function lookups(userIds: number[]): Promise<AgentStatusLookups> {
  const [states, devices] = await Promise.all([
    AgentState.query().whereIn('user_id', userIds),
    AgentDevice.query().whereIn('user_id', userIds).orderBy('endpoint'),
  ])
  const endpoints = new Map<number, string[]>()
  for (const d of devices) endpoints.set(d.userId, [...(endpoints.get(d.userId) ?? []), d.endpoint])
  return { states: new Map(states.map((s) => [s.userId, s])), endpoints }
}

function requestOrigin(ctx: HttpContext) {
  return {
    ipAddress: ctx.request.ip(),
    userAgent: ctx.request.header('user-agent')?.slice(0, 500) ?? null,
  }
}

/**
 * Agents' status (坐席状态): an agent's own page (status, time today, available / break /
 * offline, the phone's feature codes), and the board where supervisors and team leads (their
 * own team only) see every agent's status and send one back to work or sign them out.
 */
export default class AgentStatesController {
  async show(ctx: HttpContext) {
    await ctx.bouncer.with(AgentStatePolicy).authorize('changeOwn')
    const user = ctx.auth.getUserOrFail()
    const q = await ownStatePageValidator.validate(ctx.request.qs(), {
      messagesProvider: telephonyMessages(ctx),
    })
    const timeZone = q.tz ?? DEFAULT_TIME_ZONE
    const now = DateTime.now().setZone(timeZone)
    const dayStart = now.startOf('day')
    const today = await agentTimeInStates(user.id, dayStart.toMillis(), now.toMillis())
    const reasons = await BreakReason.query().where('active', true).orderBy('code')
    await user.load('team')
    return renderPage(ctx, 'agents/my_status', {
      me: AgentStatusTransformer.transform(user, await lookups([user.id])),
      breakReasons: BreakReasonTransformer.transform(reasons),
      today: {
        from: dayStart.toISO(),
        timeZone,
        secondsByState: Object.fromEntries(
          Object.entries(today.byState).map(([state, ms]) => [state, Math.round(ms / 1000)])
        ),
        breakSecondsByReason: Object.fromEntries(
          Object.entries(today.breaksByReason).map(([reason, ms]) => [
            reason,
            Math.round(ms / 1000),
          ])
        ),
      },
      featureCodes: FEATURE_CODES,
      serverNow: DateTime.utc().toISO(),
      canViewBoard: await ctx.bouncer.with(AgentStatePolicy).allows('viewBoard'),
    })
  }

  @inject()
  async update(ctx: HttpContext, change: ChangeAgentState) {
    await ctx.bouncer.with(AgentStatePolicy).authorize('changeOwn')
    const user = ctx.auth.getUserOrFail()
    const input = await ctx.request.validateUsing(ownStateValidator, {
      messagesProvider: telephonyMessages(ctx),
    })
    const result = await change.handle({
      agent: user,
      to: input.state,
      reason: input.reason ?? null,
      actor: { id: user.id, label: user.email },
      via: 'web',
      ...requestOrigin(ctx),
    })
    return changed(ctx, { flash: 'agent_state.changed', body: { state: result } })
  }

  async index(ctx: HttpContext) {
    await ctx.bouncer.with(AgentStatePolicy).authorize('viewBoard')
    const actor = ctx.auth.getUserOrFail()
    const q = await agentBoardValidator.validate(ctx.request.qs(), {
      messagesProvider: telephonyMessages(ctx),
    })
    const query = User.query()
      .select('users.*')
      .leftJoin('agent_states', 'agent_states.user_id', 'users.id')
      .whereIn('users.role', [...CALL_TAKER_ROLES])
      .where('users.is_disabled', false)
      .preload('team')
    // A team lead's board is their own team, whatever the query asks.
    if (actor.role === 'team_lead') query.where('users.team_id', actor.teamId ?? -1)
    else if (q.teamId) query.where('users.team_id', q.teamId)
    if (q.search) {
      const term = `%${q.search.toLowerCase()}%`
      query.where((w) =>
        w
          .whereRaw('LOWER(users.full_name) LIKE ?', [term])
          .orWhereRaw('LOWER(users.email) LIKE ?', [term])
      )
    }
    if (q.state === 'offline') {
      query.where((w) => w.where('agent_states.state', 'offline').orWhereNull('agent_states.state'))
    } else if (q.state) {
      query.where('agent_states.state', q.state)
    }
    const order = q.order ?? 'asc'
    if (q.sort === 'state') {
      query.orderByRaw(`COALESCE(agent_states.state, 'offline') ${order}`)
    } else if (q.sort === 'since') {
      // Ascending: longest in their state first; never signed on counts as longest.
      query
        .orderByRaw(`CASE WHEN agent_states.since IS NULL THEN 0 ELSE 1 END ${order}`)
        .orderBy('agent_states.since', order)
    }
    query.orderBy('users.full_name', q.sort === 'full_name' ? order : 'asc').orderBy('users.id')
    const page = await query.paginate(q.page ?? 1, q.perPage ?? 50)
    const agents = page.all()

    const teams =
      actor.role === 'team_lead'
        ? await Team.query().where('id', actor.teamId ?? -1)
        : await Team.query().orderBy('name')
    return renderPage(ctx, 'agents/status_board', {
      agents: AgentStatusTransformer.transform(agents, await lookups(agents.map((a) => a.id))),
      meta: page.getMeta(),
      filters: q,
      teams: TeamTransformer.transform(teams),
      teamScoped: actor.role === 'team_lead',
      // Retired reasons too: an agent may still be on a break they started before.
      breakReasons: BreakReasonTransformer.transform(await BreakReason.query().orderBy('code')),
      canForce: await ctx.bouncer.allows('permission', 'agents.force_state'),
      serverNow: DateTime.utc().toISO(),
    })
  }

  @inject()
  async force(ctx: HttpContext, change: ChangeAgentState) {
    const agent = await User.findOrFail(ctx.params.id)
    await ctx.bouncer.with(AgentStatePolicy).authorize('force', agent)
    const actor = ctx.auth.getUserOrFail()
    const input = await ctx.request.validateUsing(forcedStateValidator, {
      messagesProvider: telephonyMessages(ctx),
    })
    const result = await change.handle({
      agent,
      to: input.state,
      actor: { id: actor.id, label: actor.email },
      via: 'web',
      ...requestOrigin(ctx),
    })
    return changed(ctx, {
      flash: 'agent_state.forced',
      body: { agentId: agent.id, state: result },
    })
  }
}
