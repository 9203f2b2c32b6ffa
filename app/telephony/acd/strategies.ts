/*
| Which agent gets a waiting call. Eligibility is the same for every strategy (available, wrap-up
| over, not excluded, qualified for the call's skill); the strategy only decides the order among
| eligible agents. Ties always end on the agent id, so a decision never depends on the order in
| which the caller happened to list the agents.
*/

import type { AgentCandidate, QueueConfig, QueuedCall } from './types.js'
import { MIN_SKILL_LEVEL } from './types.js'

export interface AgentSelection {
  /** The agent to offer the call to, or null when nobody is eligible right now. */
  agent: AgentCandidate | null
  /**
   * The queue's round-robin cursor after this decision: the id of the agent just selected, or the
   * cursor passed in when nobody was. Store it per queue and pass it back next time.
   */
  cursor: string | null
}

// Numeric-aware so that agent '9' comes before agent '10', as an administrator would expect.
const idCollator = new Intl.Collator('en', { numeric: true })

/** The stable order of agents used by round robin and as the last tie-break everywhere. */
export function compareAgentIds(a: string, b: string): number {
  const byCollation = idCollator.compare(a, b)
  if (byCollation !== 0) return byCollation
  return a < b ? -1 : a > b ? 1 : 0
}

/** The agent's level in a skill, 0 when they do not have it. */
export function skillLevel(agent: AgentCandidate, skill: string): number {
  // Object.hasOwn: a skill named 'constructor' must not find Object.prototype's function.
  if (!Object.hasOwn(agent.skills, skill)) return 0
  const level = agent.skills[skill]
  return Number.isFinite(level) ? level : 0
}

/**
 * Whether the agent has the skill the call needs, at the level it needs. Calls without a
 * required skill accept any agent. This holds for every strategy: a call routed as "English
 * support" must not reach an agent without English just because the queue rotates.
 */
export function isQualified(agent: AgentCandidate, call: QueuedCall): boolean {
  if (!call.requiredSkill) return true
  const needed = Math.max(call.minSkillLevel ?? MIN_SKILL_LEVEL, MIN_SKILL_LEVEL)
  return skillLevel(agent, call.requiredSkill) >= needed
}

/**
 * Whether the agent may be offered this call at `now`: available (a state store that flips to
 * available before wrapUpUntil is honoured anyway), not excluded for this call, qualified.
 */
export function isEligible(agent: AgentCandidate, call: QueuedCall, now: number): boolean {
  if (agent.state !== 'available') return false
  if (agent.wrapUpUntil !== undefined && agent.wrapUpUntil !== null && agent.wrapUpUntil > now) {
    return false
  }
  if (call.excludedAgentIds.includes(agent.agentId)) return false
  return isQualified(agent, call)
}

/** Longest idle first: earliest availableSince, then least recently offered, then id. */
function compareIdle(a: AgentCandidate, b: AgentCandidate): number {
  if (a.availableSince !== b.availableSince) return a.availableSince - b.availableSince
  const offeredA = a.lastOfferedAt ?? Number.NEGATIVE_INFINITY
  const offeredB = b.lastOfferedAt ?? Number.NEGATIVE_INFINITY
  if (offeredA !== offeredB) return offeredA < offeredB ? -1 : 1
  return compareAgentIds(a.agentId, b.agentId)
}

/** Round robin: the eligible agents after the cursor in id order, wrapping around. */
function rotateAfter(agents: AgentCandidate[], cursor: string | null): AgentCandidate[] {
  const byId = [...agents].sort((a, b) => compareAgentIds(a.agentId, b.agentId))
  if (cursor === null) return byId
  // Comparing ids rather than looking the cursor up keeps the rotation right when the agent at
  // the cursor has since logged off or is busy.
  const after = byId.filter((agent) => compareAgentIds(agent.agentId, cursor) > 0)
  const upToCursor = byId.filter((agent) => compareAgentIds(agent.agentId, cursor) <= 0)
  return [...after, ...upToCursor]
}

/**
 * All agents eligible for the call, best first according to the queue's strategy:
 * - longest_idle: earliest availableSince (ties: least recently offered, then id);
 * - round_robin: the next agent after `cursor` in id order, wrapping around;
 * - fewest_calls_today: fewest callsToday (ties: longest idle);
 * - skills_based: highest level in the call's required skill (ties: longest idle); a call that
 *   requires no skill falls back to longest idle.
 */
export function rankAgents(
  call: QueuedCall,
  candidates: readonly AgentCandidate[],
  config: Pick<QueueConfig, 'strategy'>,
  now: number,
  roundRobinCursor: string | null = null
): AgentCandidate[] {
  const eligible = candidates.filter((agent) => isEligible(agent, call, now))
  switch (config.strategy) {
    case 'round_robin':
      return rotateAfter(eligible, roundRobinCursor)
    case 'fewest_calls_today':
      return eligible.sort((a, b) => a.callsToday - b.callsToday || compareIdle(a, b))
    case 'skills_based': {
      const skill = call.requiredSkill
      if (!skill) return eligible.sort(compareIdle)
      return eligible.sort(
        (a, b) => skillLevel(b, skill) - skillLevel(a, skill) || compareIdle(a, b)
      )
    }
    // An unknown strategy (a row written by a newer version) must not strand callers.
    case 'longest_idle':
    default:
      return eligible.sort(compareIdle)
  }
}

/**
 * The agent to offer `call` to at `now`, and the queue's new round-robin cursor. When the offer
 * times out, add the agent to the call's excludedAgentIds and call this again for the next one.
 */
export function selectAgent(
  call: QueuedCall,
  candidates: readonly AgentCandidate[],
  config: Pick<QueueConfig, 'strategy'>,
  now: number,
  roundRobinCursor: string | null = null
): AgentSelection {
  const [best] = rankAgents(call, candidates, config, now, roundRobinCursor)
  if (!best) return { agent: null, cursor: roundRobinCursor }
  return { agent: best, cursor: best.agentId }
}
