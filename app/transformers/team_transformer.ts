import { BaseTransformer } from '@adonisjs/core/transformers'
import type Team from '#models/team'

export default class TeamTransformer extends BaseTransformer<Team> {
  toObject() {
    return {
      id: this.resource.id,
      name: this.resource.name,
      description: this.resource.description,
      members: Number(this.resource.$extras.members_count ?? 0),
    }
  }
}
