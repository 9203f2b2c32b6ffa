import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import Skill from '#models/skill'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'

/** Skills (技能) that queues require and agents hold at a level. */
export default class SaveSkill {
  async create(ctx: HttpContext, input: { name: string }) {
    return db.transaction(async (trx) => {
      const skill = await Skill.create({ name: input.name }, { client: trx })
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'skill.created',
        target: { type: 'skill', id: skill.id, label: skill.name },
        after: { name: skill.name },
      })
      return skill
    })
  }

  async update(ctx: HttpContext, skill: Skill, input: { name: string }) {
    const before = { name: skill.name }
    if (before.name === input.name) return skill
    await db.transaction(async (trx) => {
      skill.useTransaction(trx)
      skill.name = input.name
      await skill.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'skill.updated',
        target: { type: 'skill', id: skill.id, label: skill.name },
        before,
        after: { name: skill.name },
      })
    })
    return skill
  }

  /** Agents lose the skill with it; a queue that requires it must be changed first. */
  async delete(ctx: HttpContext, skill: Skill) {
    await db.transaction(async (trx) => {
      const queues = await trx.from('queues').where('required_skill_id', skill.id).select('name')
      if (queues.length > 0) {
        throw new DomainError('telephony.skill_in_use', 'skill', {
          names: queues.map((q) => q.name).join(', '),
        })
      }
      const holders = await trx.from('agent_skills').where('skill_id', skill.id).count('* as n')
      skill.useTransaction(trx)
      await skill.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'skill.deleted',
        target: { type: 'skill', id: skill.id, label: skill.name },
        before: { name: skill.name, agents: Number(holders[0].n) },
      })
    })
  }
}
