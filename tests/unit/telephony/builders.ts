/*
| Small builders for the telephony unit specs: an agent, a waiting call and a queue configuration
| with sensible defaults, overridden per test so each test states only what it is about.
*/

import type { AgentCandidate, QueueConfig, QueuedCall } from '#telephony/acd/types'

/** A fixed "now" (2025-03-03 09:00 in Shanghai) so no test depends on the clock. */
export const NOW = Date.UTC(2025, 2, 3, 1, 0, 0)

export const seconds = (n: number) => n * 1000

export function agent(agentId: string, overrides: Partial<AgentCandidate> = {}): AgentCandidate {
  return {
    agentId,
    state: 'available',
    availableSince: NOW - seconds(60),
    lastOfferedAt: null,
    callsToday: 0,
    skills: {},
    wrapUpUntil: null,
    ...overrides,
  }
}

export function call(callId: string, overrides: Partial<QueuedCall> = {}): QueuedCall {
  return {
    callId,
    enteredAt: NOW - seconds(30),
    priority: 0,
    requiredSkill: null,
    minSkillLevel: null,
    excludedAgentIds: [],
    ...overrides,
  }
}

export function queueConfig(overrides: Partial<QueueConfig> = {}): QueueConfig {
  return {
    strategy: 'longest_idle',
    ringTimeoutSeconds: 20,
    wrapUpSeconds: 30,
    maxWaitSeconds: 300,
    overflow: { action: 'voicemail' },
    announceEverySeconds: 60,
    priority: 0,
    ...overrides,
  }
}

/** A small deterministic PRNG (mulberry32), for generated cases that are the same every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
