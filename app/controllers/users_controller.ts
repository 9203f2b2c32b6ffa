import type { HttpContext } from '@adonisjs/core/http'
import { inject } from '@adonisjs/core'
import User from '#models/user'
import Team from '#models/team'
import UserSession from '#models/user_session'
import SaveUser from '#actions/users/save_user'
import UserPolicy from '#policies/user_policy'
import UserTransformer from '#transformers/user_transformer'
import UserSessionTransformer from '#transformers/user_session_transformer'
import TeamTransformer from '#transformers/team_transformer'
import audit from '#services/audit_service'
import {
  createUserValidator,
  lockUserValidator,
  updateUserValidator,
  userListValidator,
} from '#validators/auth'
import { ROLES } from '#app/auth/roles'

export default class UsersController {
  /** Paged, sorted and filtered on the server; a team lead's query is narrowed to their team. */
  async index(ctx: HttpContext) {
    await ctx.bouncer.with(UserPolicy).authorize('viewList')
    const actor = ctx.auth.getUserOrFail()
    const q = await userListValidator.validate(ctx.request.qs())
    const query = User.query().preload('team')
    query
      .select('users.*')
      .select(
        User.query()
          .client.from('user_sessions')
          .count('*')
          .whereColumn('user_sessions.user_id', 'users.id')
          .whereNull('user_sessions.ended_at')
          .as('active_sessions')
      )
    if (actor.role === 'team_lead') query.where('team_id', actor.teamId ?? -1)
    if (q.search) {
      const term = `%${q.search.toLowerCase()}%`
      query.where((w) =>
        w.whereRaw('LOWER(full_name) LIKE ?', [term]).orWhereRaw('LOWER(email) LIKE ?', [term])
      )
    }
    if (q.role) query.where('role', q.role)
    if (q.teamId) query.where('team_id', q.teamId)
    if (q.status === 'disabled') query.where('is_disabled', true)
    if (q.status === 'locked') query.whereNotNull('locked_at')
    if (q.status === 'active') query.where('is_disabled', false).whereNull('locked_at')
    query.orderBy(q.sort ?? 'full_name', q.order ?? 'asc').orderBy('id', 'asc')
    const page = await query.paginate(q.page ?? 1, q.perPage ?? 20)

    const teams =
      actor.role === 'team_lead'
        ? await Team.query().where('id', actor.teamId ?? -1)
        : await Team.query().orderBy('name')
    return ctx.inertia.render('admin/users/index', {
      users: UserTransformer.transform(page.all()),
      meta: page.getMeta(),
      filters: q,
      teams: TeamTransformer.transform(teams),
      roles: [...ROLES],
      canManage: await ctx.bouncer.with(UserPolicy).allows('create'),
    })
  }

  @inject()
  async store(ctx: HttpContext, save: SaveUser) {
    await ctx.bouncer.with(UserPolicy).authorize('create')
    const input = await ctx.request.validateUsing(createUserValidator)
    await save.create(ctx, input)
    ctx.session.flash('success', 'users.created')
    return ctx.response.redirect().toRoute('users.index')
  }

  async show(ctx: HttpContext) {
    const user = await User.query().where('id', ctx.params.id).preload('team').firstOrFail()
    await ctx.bouncer.with(UserPolicy).authorize('view', user)
    await audit.record({
      ...audit.fromRequest(ctx),
      action: 'user.viewed',
      target: { type: 'user', id: user.id, label: user.email },
    })
    const sessions = await UserSession.query()
      .where('user_id', user.id)
      .whereNull('ended_at')
      .orderBy('last_seen_at', 'desc')
    return ctx.inertia.render('admin/users/show', {
      user: UserTransformer.transform(user),
      sessions: UserSessionTransformer.transform(sessions),
      teams: TeamTransformer.transform(await Team.query().orderBy('name')),
      roles: [...ROLES],
      canManage: await ctx.bouncer.with(UserPolicy).allows('update', user),
    })
  }

  @inject()
  async update(ctx: HttpContext, save: SaveUser) {
    const user = await User.findOrFail(ctx.params.id)
    await ctx.bouncer.with(UserPolicy).authorize('update', user)
    const input = await ctx.request.validateUsing(updateUserValidator, {
      meta: { userId: user.id },
    })
    await save.update(ctx, user, input)
    ctx.session.flash('success', 'users.updated')
    return ctx.response.redirect().back()
  }

  @inject()
  async lock(ctx: HttpContext, save: SaveUser) {
    const user = await User.findOrFail(ctx.params.id)
    await ctx.bouncer.with(UserPolicy).authorize('update', user)
    const { reason } = await ctx.request.validateUsing(lockUserValidator)
    await save.lock(ctx, user, reason)
    ctx.session.flash('success', 'users.locked')
    return ctx.response.redirect().back()
  }

  @inject()
  async unlock(ctx: HttpContext, save: SaveUser) {
    const user = await User.findOrFail(ctx.params.id)
    await ctx.bouncer.with(UserPolicy).authorize('update', user)
    await save.unlock(ctx, user)
    ctx.session.flash('success', 'users.unlocked')
    return ctx.response.redirect().back()
  }

  @inject()
  async revokeSessions(ctx: HttpContext, save: SaveUser) {
    const user = await User.findOrFail(ctx.params.id)
    await ctx.bouncer.with(UserPolicy).authorize('revokeSessions', user)
    await save.revokeAllSessions(ctx, user)
    ctx.session.flash('success', 'sessions.revoked_all')
    return ctx.response.redirect().back()
  }

  @inject()
  async resetMfa(ctx: HttpContext, save: SaveUser) {
    const user = await User.findOrFail(ctx.params.id)
    await ctx.bouncer.with(UserPolicy).authorize('update', user)
    await save.resetMfa(ctx, user)
    ctx.session.flash('success', 'mfa.reset')
    return ctx.response.redirect().back()
  }
}
