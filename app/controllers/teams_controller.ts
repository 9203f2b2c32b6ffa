import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import Team from '#models/team'
import SaveTeam from '#actions/teams/save_team'
import TeamPolicy from '#policies/team_policy'
import TeamTransformer from '#transformers/team_transformer'
import { teamValidator } from '#validators/auth'

export default class TeamsController {
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(TeamPolicy).authorize('viewList')
    const actor = ctx.auth.getUserOrFail()
    const query = Team.query()
      .withCount('members', (q) => q.as('members_count'))
      .orderBy('name')
    if (actor.role === 'team_lead') query.where('id', actor.teamId ?? -1)
    return ctx.inertia.render('admin/teams/index', {
      teams: TeamTransformer.transform(await query),
      canManage: await ctx.bouncer.with(TeamPolicy).allows('manage'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SaveTeam) {
    await ctx.bouncer.with(TeamPolicy).authorize('manage')
    await save.create(ctx, await ctx.request.validateUsing(teamValidator, { meta: {} }))
    ctx.session.flash('success', 'teams.created')
    return ctx.response.redirect().toRoute('teams.index')
  }

  @inject()
  async update(ctx: HttpContext, save: SaveTeam) {
    await ctx.bouncer.with(TeamPolicy).authorize('manage')
    const team = await Team.findOrFail(ctx.params.id)
    await save.update(
      ctx,
      team,
      await ctx.request.validateUsing(teamValidator, { meta: { teamId: team.id } })
    )
    ctx.session.flash('success', 'teams.updated')
    return ctx.response.redirect().toRoute('teams.index')
  }

  @inject()
  async destroy(ctx: HttpContext, save: SaveTeam) {
    await ctx.bouncer.with(TeamPolicy).authorize('manage')
    await save.delete(ctx, await Team.findOrFail(ctx.params.id))
    ctx.session.flash('success', 'teams.deleted')
    return ctx.response.redirect().toRoute('teams.index')
  }
}
