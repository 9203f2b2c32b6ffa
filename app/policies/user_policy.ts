import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import { can } from '#app/auth/roles'

/**
 * Who may see and change which user. Admins and supervisors see everyone; a team lead sees
 * only their own team; an agent sees only themself. Only admins change users.
 */
export default class UserPolicy extends BasePolicy {
  viewList(actor: User): AuthorizerResponse {
    return can(actor.role, 'users.view')
  }

  view(actor: User, user: User): AuthorizerResponse {
    if (actor.id === user.id) return true
    if (!can(actor.role, 'users.view')) return false
    if (actor.role === 'team_lead') return actor.teamId !== null && actor.teamId === user.teamId
    return true
  }

  create(actor: User): AuthorizerResponse {
    return can(actor.role, 'users.manage')
  }

  update(actor: User, _user: User): AuthorizerResponse {
    return can(actor.role, 'users.manage')
  }

  revokeSessions(actor: User, user: User): AuthorizerResponse {
    return actor.id !== user.id && can(actor.role, 'sessions.revoke_others')
  }
}
