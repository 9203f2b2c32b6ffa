import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import type Team from '#models/team'
import { can } from '#app/auth/roles'

export default class TeamPolicy extends BasePolicy {
  viewList(actor: User): AuthorizerResponse {
    return can(actor.role, 'teams.view')
  }

  view(actor: User, team: Team): AuthorizerResponse {
    if (!can(actor.role, 'teams.view')) return false
    return actor.role !== 'team_lead' || actor.teamId === team.id
  }

  manage(actor: User): AuthorizerResponse {
    return can(actor.role, 'teams.manage')
  }
}
