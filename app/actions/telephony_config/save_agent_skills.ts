import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type User from '#models/user'
import AgentSkill from '#models/agent_skill'
import audit from '#services/audit_service'

/** An agent's skills and levels (技能等级, 1-10), replaced as a whole. */
export default class SaveAgentSkills {
  async handle(ctx: HttpContext, agent: User, skills: Array<{ skillId: number; level: number }>) {
    await db.transaction(async (trx) => {
      const existing = await AgentSkill.query({ client: trx })
        .where('user_id', agent.id)
        .orderBy('skill_id')
      const before = existing.map((s) => ({ skillId: s.skillId, level: s.level }))
      const bySkill = new Map(existing.map((s) => [s.skillId, s]))
      for (const wanted of skills) {
        const current = bySkill.get(wanted.skillId)
        if (!current) {
          await AgentSkill.create(
            { userId: agent.id, skillId: wanted.skillId, level: wanted.level },
            { client: trx }
          )
        } else if (current.level !== wanted.level) {
          current.useTransaction(trx)
          current.level = wanted.level
          await current.save()
        }
      }
      const keep = new Set(skills.map((s) => s.skillId))
      const gone = existing.filter((s) => !keep.has(s.skillId)).map((s) => s.id)
      if (gone.length > 0) await AgentSkill.query({ client: trx }).whereIn('id', gone).delete()
      const after = skills
        .map((s) => ({ skillId: s.skillId, level: s.level }))
        .sort((a, b) => a.skillId - b.skillId)
      if (JSON.stringify(before) === JSON.stringify(after)) return
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'agent.skills_changed',
        target: { type: 'user', id: agent.id, label: agent.email },
        before: { skills: before },
        after: { skills: after },
      })
    })
  }
}
