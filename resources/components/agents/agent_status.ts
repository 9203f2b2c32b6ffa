import { computed, onBeforeUnmount, onMounted, ref, watch } from 'vue'
import type { Role } from '../../types'

/*
| Shapes of app/transformers/agent_status_transformer.ts and the agents' status pages, and the
| ticking clock their live durations use.
*/

export const AGENT_STATES = [
  'available',
  'ringing',
  'on_call',
  'wrap_up',
  'break',
  'missed',
  'offline',
] as const
export type AgentStateName = (typeof AGENT_STATES)[number]

export interface AgentStatus {
  id: number
  fullName: string
  email: string
  role: Role
  teamId: number | null
  teamName: string | null
  endpoints: string[]
  state: AgentStateName
  reason: string | null
  /** ISO; null when the agent never signed on. */
  since: string | null
}

export type AgentBoardSort = 'full_name' | 'state' | 'since'

/** Element Plus tag colours per state, the same on every page. */
export const STATE_TAG_TYPES: Record<
  AgentStateName,
  'success' | 'warning' | 'primary' | 'info' | 'danger'
> = {
  available: 'success',
  ringing: 'warning',
  on_call: 'primary',
  wrap_up: 'warning',
  break: 'info',
  missed: 'danger',
  offline: 'info',
}

/**
 * "Now" on the server's clock, ticking every second: `serverNow` is when the server rendered the
 * props, so a browser whose clock is off still shows the right time in state.
 */
export function useServerClock(serverNow: () => string) {
  const tick = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => (timer = setInterval(() => (tick.value = Date.now()), 1000)))
  onBeforeUnmount(() => clearInterval(timer))
  const loadedAt = ref(Date.now())
  // New props: the server's "now" moved, measure from here again.
  watch(
    serverNow,
    () => {
      loadedAt.value = Date.now()
      tick.value = loadedAt.value
    },
    { flush: 'sync' }
  )
  const now = computed(() => new Date(serverNow()).getTime() + (tick.value - loadedAt.value))
  /** Seconds from `iso` until now; null for no time. */
  function secondsSince(iso: string | null) {
    if (!iso) return null
    return Math.max(0, Math.floor((now.value - new Date(iso).getTime()) / 1000))
  }
  /** Seconds since the props were rendered. */
  const secondsSinceRender = computed(() =>
    Math.max(0, Math.floor((now.value - new Date(serverNow()).getTime()) / 1000))
  )
  return { now, secondsSince, secondsSinceRender }
}

/** Calls `fn` every `seconds` while the page is shown. */
export function useEvery(seconds: number, fn: () => void) {
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => (timer = setInterval(fn, seconds * 1000)))
  onBeforeUnmount(() => clearInterval(timer))
}
