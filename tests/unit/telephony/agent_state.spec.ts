import { test } from '@japa/runner'
import {
  IllegalAgentTransitionError,
  breakTimeByReason,
  canTransition,
  timeInStates,
  transition,
} from '#telephony/acd/agent_state'
import type { AgentEvent, AgentEventType } from '#telephony/acd/agent_state'
import { AGENT_STATES } from '#telephony/acd/types'
import type { AgentState } from '#telephony/acd/types'
import { NOW, seconds } from '#tests/unit/telephony/builders'

const EVENTS: Record<AgentEventType, AgentEvent> = {
  offer: { type: 'offer' },
  answer: { type: 'answer' },
  ring_timeout: { type: 'ring_timeout' },
  hangup: { type: 'hangup' },
  wrap_up_elapsed: { type: 'wrap_up_elapsed' },
  go_break: { type: 'go_break', reason: 'lunch' },
  go_available: { type: 'go_available' },
  log_off: { type: 'log_off' },
}

/** The whole table: anything not listed must be refused. */
const ALLOWED: Record<AgentState, Partial<Record<AgentEventType, AgentState>>> = {
  available: { offer: 'ringing', go_available: 'available', go_break: 'break', log_off: 'offline' },
  ringing: { answer: 'on_call', ring_timeout: 'missed', hangup: 'available' },
  on_call: { hangup: 'wrap_up' },
  wrap_up: {
    wrap_up_elapsed: 'available',
    go_available: 'available',
    go_break: 'break',
    log_off: 'offline',
  },
  break: { go_break: 'break', go_available: 'available', log_off: 'offline' },
  missed: { go_available: 'available', go_break: 'break', log_off: 'offline' },
  offline: { go_available: 'available', go_break: 'break', log_off: 'offline' },
}

function run(state: AgentState, ...types: AgentEventType[]): AgentState {
  return types.reduce((current, type) => transition(current, EVENTS[type]), state)
}

test.group('Agent state | transitions', () => {
  test('an answered call goes through ringing, the call and wrap-up back to available', ({
    assert,
  }) => {
    assert.equal(run('available', 'offer'), 'ringing')
    assert.equal(run('available', 'offer', 'answer'), 'on_call')
    assert.equal(run('available', 'offer', 'answer', 'hangup'), 'wrap_up')
    assert.equal(run('available', 'offer', 'answer', 'hangup', 'wrap_up_elapsed'), 'available')
  })

  test('an unanswered offer leaves the agent not ready until they say they are back', ({
    assert,
  }) => {
    assert.equal(run('available', 'offer', 'ring_timeout'), 'missed')
    assert.throws(() => run('missed', 'offer'), IllegalAgentTransitionError)
    assert.equal(run('missed', 'go_available'), 'available')
  })

  test('a caller hanging up while the agent rings leaves nothing to wrap up', ({ assert }) => {
    assert.equal(run('available', 'offer', 'hangup'), 'available')
  })

  test('an agent can end wrap-up early, or go on break from it', ({ assert }) => {
    assert.equal(run('wrap_up', 'go_available'), 'available')
    assert.equal(run('wrap_up', 'go_break'), 'break')
  })

  test('agents log on as available or straight into a break, and log off when not busy', ({
    assert,
  }) => {
    assert.equal(run('offline', 'go_available'), 'available')
    assert.equal(run('offline', 'go_break'), 'break')
    for (const state of ['available', 'wrap_up', 'break', 'missed'] as const) {
      assert.equal(run(state, 'log_off'), 'offline')
    }
  })

  test("an agent's own requests can be repeated harmlessly", ({ assert }) => {
    assert.equal(run('available', 'go_available', 'go_available'), 'available')
    assert.equal(run('break', 'go_break'), 'break')
    assert.equal(run('offline', 'log_off'), 'offline')
  })

  test('an agent already ringing cannot be offered a second call', ({ assert }) => {
    try {
      transition('ringing', { type: 'offer' })
      assert.fail('expected an IllegalAgentTransitionError')
    } catch (error) {
      assert.instanceOf(error, IllegalAgentTransitionError)
      const illegal = error as IllegalAgentTransitionError
      assert.equal(illegal.code, 'E_ILLEGAL_AGENT_TRANSITION')
      assert.equal(illegal.from, 'ringing')
      assert.equal(illegal.event, 'offer')
    }
  })

  test('an agent on a call cannot go on break or log off mid-call', ({ assert }) => {
    assert.throws(() => run('on_call', 'go_break'), IllegalAgentTransitionError)
    assert.throws(() => run('on_call', 'log_off'), IllegalAgentTransitionError)
    assert.throws(() => run('ringing', 'log_off'), IllegalAgentTransitionError)
  })

  test('an agent on break is never offered a call', ({ assert }) => {
    assert.throws(() => run('break', 'offer'), IllegalAgentTransitionError)
    assert.isFalse(canTransition('break', 'offer'))
  })

  test('every state and event combination follows the table', ({ assert }) => {
    for (const state of AGENT_STATES) {
      for (const [type, event] of Object.entries(EVENTS) as [AgentEventType, AgentEvent][]) {
        const expected = ALLOWED[state][type]
        assert.equal(canTransition(state, event), expected !== undefined, `${state} + ${type}`)
        if (expected) assert.equal(transition(state, event), expected, `${state} + ${type}`)
        else assert.throws(() => transition(state, event), IllegalAgentTransitionError)
      }
    }
  })

  test('a stale wrap-up timer can be recognised without catching an error', ({ assert }) => {
    assert.isFalse(canTransition('available', 'wrap_up_elapsed'))
    assert.isTrue(canTransition('wrap_up', { type: 'wrap_up_elapsed' }))
  })
})

test.group('Agent state | time in states', () => {
  const at = (s: number) => NOW + seconds(s)

  test('each state lasts until the next change', ({ assert }) => {
    const totals = timeInStates(
      [
        { state: 'available', at: at(0) },
        { state: 'ringing', at: at(100) },
        { state: 'on_call', at: at(110) },
        { state: 'wrap_up', at: at(410) },
        { state: 'available', at: at(440) },
      ],
      { to: at(500) }
    )
    assert.deepEqual(totals, {
      available: seconds(160),
      ringing: seconds(10),
      on_call: seconds(300),
      wrap_up: seconds(30),
      break: 0,
      missed: 0,
      offline: 0,
    })
  })

  test('without an end, the current state is not counted', ({ assert }) => {
    const totals = timeInStates([
      { state: 'available', at: at(0) },
      { state: 'break', at: at(60) },
    ])
    assert.equal(totals.available, seconds(60))
    assert.equal(totals.break, 0)
  })

  test('entries may arrive in any order', ({ assert }) => {
    const totals = timeInStates(
      [
        { state: 'on_call', at: at(50) },
        { state: 'available', at: at(0) },
        { state: 'wrap_up', at: at(80) },
      ],
      { to: at(100) }
    )
    assert.equal(totals.available, seconds(50))
    assert.equal(totals.on_call, seconds(30))
    assert.equal(totals.wrap_up, seconds(20))
  })

  test('a report window clips states that started before it or run past it', ({ assert }) => {
    const entries = [
      { state: 'available' as const, at: at(-3600) },
      { state: 'on_call' as const, at: at(600) },
      { state: 'offline' as const, at: at(5000) },
    ]
    const totals = timeInStates(entries, { from: at(0), to: at(3600) })
    assert.equal(totals.available, seconds(600))
    assert.equal(totals.on_call, seconds(3000))
    assert.equal(totals.offline, 0)
  })

  test('time on break is split by reason', ({ assert }) => {
    const byReason = breakTimeByReason(
      [
        { state: 'break', at: at(0), reason: 'lunch' },
        { state: 'available', at: at(1800) },
        { state: 'break', at: at(2000), reason: 'training' },
        { state: 'break', at: at(2600), reason: 'lunch' },
        { state: 'offline', at: at(2700) },
      ],
      { to: at(3000) }
    )
    assert.deepEqual(Object.fromEntries(byReason), { lunch: seconds(1900), training: seconds(600) })
  })

  test('an unknown state in old log rows is left out rather than breaking the sums', ({
    assert,
  }) => {
    const totals = timeInStates(
      [
        { state: 'available', at: at(0) },
        { state: 'paused' as AgentState, at: at(10) },
        { state: 'available', at: at(20) },
      ],
      { to: at(30) }
    )
    assert.equal(totals.available, seconds(20))
    assert.notProperty(totals, 'paused')
  })
})
