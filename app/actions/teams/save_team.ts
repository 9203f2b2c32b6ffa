import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Team from '#models/team'
import User from '#models/user'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'

export default class SaveTeam {
  async create(ctx: HttpContext, input: { name: string; description?: string | null }) {
    return db.transaction(async (trx) => {
      const team = await Team.create(
        { name: input.name, description: input.description ?? null },
        { client: trx }
      )
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'team.created',
        target: { type: 'team', id: team.id, label: team.name },
        after: { name: team.name, description: team.description },
      })
      return team
    })
  }

  async update(ctx: HttpContext, team: Team, input: { name: string; description?: string | null }) {
    const before = { name: team.name, description: team.description }
    await db.transaction(async (trx) => {
      team.useTransaction(trx)
      team.merge({ name: input.name, description: input.description ?? null })
      await team.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'team.updated',
        target: { type: 'team', id: team.id, label: team.name },
        before,
        after: { name: team.name, description: team.description },
      })
    })
    return team
  }

  async delete(ctx: HttpContext, team: Team) {
    const members = await User.query().where('team_id', team.id).count('* as n')
    if (Number(members[0].$extras.n) > 0) throw new DomainError('teams.not_empty', 'team')
    await db.transaction(async (trx) => {
      team.useTransaction(trx)
      await team.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'team.deleted',
        target: { type: 'team', id: team.id, label: team.name },
        before: { name: team.name, description: team.description },
      })
    })
  }
}
