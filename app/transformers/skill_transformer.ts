import { BaseTransformer } from '@adonisjs/core/transformers'
import type Skill from '#models/skill'

export default class SkillTransformer extends BaseTransformer<Skill> {
  toObject() {
    return {
      id: this.resource.id,
      name: this.resource.name,
      agents: Number(this.resource.$extras.agents_count ?? 0),
    }
  }
}
