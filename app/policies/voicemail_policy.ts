import { BasePolicy } from '@adonisjs/bouncer'
import type { AuthorizerResponse } from '@adonisjs/bouncer/types'
import type User from '#models/user'
import type Voicemail from '#models/voicemail'
import { can } from '#app/auth/roles'

/**
 * Whose voicemails (语音信箱) a user hears, by role and kept simple:
 * - `all`: whoever may listen to recordings (admins, supervisors) hears every voicemail;
 * - `team`: a team lead hears those left for the agents of their team (and for themselves),
 *   not those left for a queue;
 * - `own`: anyone else (an agent) hears only those left for them.
 * Every signed-in user has a voicemail list; this decides what is in it and what plays.
 */
export type VoicemailScope = 'all' | 'team' | 'own'

export function voicemailScope(actor: User): VoicemailScope {
  if (can(actor.role, 'recordings.listen')) return 'all'
  if (actor.role === 'team_lead') return 'team'
  return 'own'
}

export default class VoicemailPolicy extends BasePolicy {
  viewList(): AuthorizerResponse {
    return true
  }

  /** `agentTeamId`: the team of the agent the voicemail was left for, loaded by the caller. */
  listen(actor: User, voicemail: Voicemail, agentTeamId: number | null): AuthorizerResponse {
    const scope = voicemailScope(actor)
    if (scope === 'all') return true
    if (voicemail.agentId === null) return false
    if (voicemail.agentId === actor.id) return true
    return scope === 'team' && actor.teamId !== null && agentTeamId === actor.teamId
  }
}
