import { test } from '@japa/runner'
import { IvrFlowError, IvrInterpreter } from '#telephony/ivr/interpreter'
import type { IvrInput, IvrState, IvrStep } from '#telephony/ivr/interpreter'
import type { CollectNode, IvrFlow } from '#telephony/ivr/types'
import { isOpen } from '#telephony/hours/calendar'
import type { BusinessCalendar } from '#telephony/hours/types'
import { builtin, flowWith, sampleFlow, upload } from '#tests/unit/telephony/ivr_fixtures'

const played: IvrInput = { kind: 'playback_finished' }
const open: IvrInput = { kind: 'hours', open: true }
const closed: IvrInput = { kind: 'hours', open: false }
const timeout: IvrInput = { kind: 'timeout' }
const press = (digits: string): IvrInput => ({ kind: 'digits', digits })

/** Feeds inputs one after the other and returns every step. */
function drive(ivr: IvrInterpreter, ...inputs: IvrInput[]): IvrStep[] {
  const steps = [ivr.start()]
  for (const input of inputs) steps.push(ivr.step(steps[steps.length - 1].state, input))
  return steps
}

const last = (steps: IvrStep[]) => steps[steps.length - 1]

/** At the main menu of the sample flow, open hours. */
function atMainMenu(flow: IvrFlow = sampleFlow()) {
  const ivr = new IvrInterpreter(flow)
  return { ivr, state: last(drive(ivr, played, open)).state }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

test.group('IVR interpreter | navigation', () => {
  test('a call starts by playing the entry prompt and continuing after it', ({ assert }) => {
    const { state, action } = new IvrInterpreter(sampleFlow()).start()
    assert.deepEqual(action, { type: 'play', media: ['recording:prompts/12'], then: 'continue' })
    assert.equal(state.nodeId, 'welcome')
    assert.equal(state.awaiting, 'playback')
  })

  test('builtin prompts play as sounds and uploaded media can be mapped', ({ assert }) => {
    const ivr = new IvrInterpreter(
      flowWith({ welcome: { type: 'play', prompt: builtin('vm-goodbye'), next: 'main' } })
    )
    assert.deepEqual(ivr.start().action, {
      type: 'play',
      media: ['sound:vm-goodbye'],
      then: 'continue',
    })
    const mapped = new IvrInterpreter(sampleFlow(), {
      uploadMedia: (promptId) => `recording:branch-3/prompt-${promptId}`,
    })
    assert.deepEqual(mapped.start().action, {
      type: 'play',
      media: ['recording:branch-3/prompt-12'],
      then: 'continue',
    })
  })

  test('the opening-hours check is asked of the caller of the interpreter', ({ assert }) => {
    const steps = drive(new IvrInterpreter(sampleFlow()), played)
    assert.deepEqual(last(steps).action, { type: 'check_hours', calendarId: 'cal-main' })
    assert.equal(last(steps).state.awaiting, 'hours')
  })

  test('when closed the caller hears the closed message and can leave a voicemail', ({
    assert,
  }) => {
    const steps = drive(new IvrInterpreter(sampleFlow()), played, closed, played)
    assert.deepEqual(steps[2].action, {
      type: 'play',
      media: ['sound:ss-noservice'],
      then: 'continue',
    })
    assert.deepEqual(last(steps).action, { type: 'voicemail', target: { queueId: 'q-support' } })
  })

  test('when open the main menu waits for one key', ({ assert }) => {
    const steps = drive(new IvrInterpreter(sampleFlow()), played, open)
    assert.deepEqual(last(steps).action, {
      type: 'play',
      media: ['recording:prompts/13'],
      then: 'wait_digits',
      maxDigits: 1,
      timeoutSeconds: 5,
    })
    assert.equal(last(steps).state.awaiting, 'digits')
  })

  test('pressing an option leads to its node', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    assert.deepEqual(ivr.step(state, press('1')).action, {
      type: 'enter_queue',
      queueId: 'q-sales',
      digitsCollected: {},
    })
    assert.deepEqual(ivr.step(state, press('0')).action, {
      type: 'transfer',
      number: '+8613800138000',
    })
  })

  test('the trail records each node with the keys pressed there', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const invalid = ivr.step(state, press('7'))
    const done = ivr.step(invalid.state, press('1'))
    assert.deepEqual(done.state.trail, [
      { nodeId: 'welcome', digits: null, outcome: 'played' },
      { nodeId: 'hours', digits: null, outcome: 'open' },
      { nodeId: 'main', digits: '7', outcome: 'invalid' },
      { nodeId: 'main', digits: '1', outcome: 'selected' },
      { nodeId: 'sales', digits: null, outcome: 'ended' },
    ])
    assert.equal(done.state.endReason, 'terminal')
    assert.isNull(done.state.awaiting)
  })

  test('a hangup node hangs up', ({ assert }) => {
    const flow = flowWith({
      main: {
        type: 'menu',
        prompt: upload('13'),
        options: [{ digit: '9', next: 'goodbye' }],
        timeoutSeconds: 5,
        maxRetries: 0,
      },
    })
    const { ivr, state } = atMainMenu(flow)
    const done = ivr.step(state, press('9'))
    assert.deepEqual(done.action, { type: 'hangup' })
    assert.equal(done.state.endReason, 'terminal')
  })

  test('an option back to the same menu plays it again from the start', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const failed = ivr.step(state, press('5'))
    assert.equal(failed.state.retries, 1)
    const again = ivr.step(failed.state, press('*'))
    assert.equal(again.state.nodeId, 'main')
    assert.equal(again.state.retries, 0)
    assert.deepEqual(again.action, {
      type: 'play',
      media: ['recording:prompts/13'],
      then: 'wait_digits',
      maxDigits: 1,
      timeoutSeconds: 5,
    })
  })
})

test.group('IVR interpreter | opening hours', () => {
  const calendars: Record<string, BusinessCalendar> = {
    'cal-main': {
      weekly: { mon: [{ start: '09:00', end: '18:00' }] },
      holidays: [],
      workdayOverrides: [],
    },
  }

  /** What the call-handling code does with a check_hours action. */
  function answerHoursCheck(step: IvrStep, now: Date): IvrInput {
    if (step.action.type !== 'check_hours') throw new Error('not an hours check')
    return { kind: 'hours', open: isOpen(calendars[step.action.calendarId], now, 'Asia/Shanghai') }
  }

  test('the hours check is answered from the business calendar', ({ assert }) => {
    const ivr = new IvrInterpreter(sampleFlow())
    const atHours = ivr.step(ivr.start().state, played)

    // Monday 3 March 2025, 10:00 and 20:00 in Shanghai.
    const morning = ivr.step(
      atHours.state,
      answerHoursCheck(atHours, new Date('2025-03-03T02:00Z'))
    )
    assert.equal(morning.state.nodeId, 'main')
    const evening = ivr.step(
      atHours.state,
      answerHoursCheck(atHours, new Date('2025-03-03T12:00Z'))
    )
    assert.equal(evening.state.nodeId, 'closed_msg')
    assert.deepEqual(evening.state.trail.at(-1), {
      nodeId: 'hours',
      digits: null,
      outcome: 'closed',
    })
  })
})

test.group('IVR interpreter | retries', () => {
  test('a wrong key plays the invalid prompt and the menu again', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const step = ivr.step(state, press('8'))
    assert.deepEqual(step.action, {
      type: 'play',
      media: ['sound:option-is-invalid', 'recording:prompts/13'],
      then: 'wait_digits',
      maxDigits: 1,
      timeoutSeconds: 5,
    })
    assert.equal(step.state.nodeId, 'main')
    assert.equal(step.state.retries, 1)
  })

  test('silence replays the menu without the invalid prompt', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const step = ivr.step(state, timeout)
    assert.deepEqual(step.action, {
      type: 'play',
      media: ['recording:prompts/13'],
      then: 'wait_digits',
      maxDigits: 1,
      timeoutSeconds: 5,
    })
    assert.deepEqual(step.state.trail.at(-1), { nodeId: 'main', digits: null, outcome: 'timeout' })
  })

  test('after the last retry a wrong key goes to the invalid-input fallback', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    let step: IvrStep = { state, action: { type: 'none' } }
    for (const digits of ['8', '8']) {
      step = ivr.step(step.state, press(digits))
      assert.equal(step.state.nodeId, 'main')
    }
    step = ivr.step(step.state, press('8'))
    assert.deepEqual(step.action, { type: 'hangup' })
    assert.equal(step.state.nodeId, 'goodbye')
  })

  test('after the last retry silence goes to the timeout fallback', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const steps = [ivr.step(state, timeout)]
    steps.push(ivr.step(steps[0].state, timeout))
    steps.push(ivr.step(steps[1].state, timeout))
    assert.deepEqual(
      steps.map((s) => s.state.nodeId),
      ['main', 'main', 'support']
    )
    assert.deepEqual(last(steps).action, {
      type: 'enter_queue',
      queueId: 'q-support',
      digitsCollected: {},
    })
  })

  test('wrong keys and silence count together against the retries', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const first = ivr.step(state, press('8'))
    const second = ivr.step(first.state, timeout)
    const third = ivr.step(second.state, timeout)
    assert.equal(third.state.nodeId, 'support')
  })

  test('with no fallback the call is hung up once retries run out', ({ assert }) => {
    const flow = flowWith({
      main: {
        type: 'menu',
        prompt: upload('13'),
        options: [{ digit: '1', next: 'sales' }],
        timeoutSeconds: 5,
        maxRetries: 1,
      },
    })
    const { ivr, state } = atMainMenu(flow)
    const first = ivr.step(state, timeout)
    const second = ivr.step(first.state, press('3'))
    assert.deepEqual(second.action, { type: 'hangup' })
    assert.equal(second.state.endReason, 'retries_exhausted')
    assert.equal(second.state.nodeId, 'main')
    assert.isNull(second.state.awaiting)
  })

  test('with no retries the first failure goes straight to the fallback', ({ assert }) => {
    const flow = flowWith({
      main: {
        type: 'menu',
        prompt: upload('13'),
        options: [{ digit: '1', next: 'sales' }],
        timeoutSeconds: 5,
        maxRetries: 0,
        onTimeout: 'support',
      },
    })
    const { ivr, state } = atMainMenu(flow)
    assert.equal(ivr.step(state, timeout).state.nodeId, 'support')
  })

  test('retries start again when the caller comes back to a menu', ({ assert }) => {
    const flow = flowWith({
      main: {
        type: 'menu',
        prompt: upload('13'),
        options: [
          { digit: '1', next: 'sales' },
          { digit: '2', next: 'info' },
        ],
        timeoutSeconds: 5,
        maxRetries: 1,
      },
      info: { type: 'play', prompt: upload('12'), next: 'main' },
    })
    const { ivr, state } = atMainMenu(flow)
    const failed = ivr.step(state, press('9'))
    assert.equal(failed.state.retries, 1)
    const info = ivr.step(failed.state, press('2'))
    const back = ivr.step(info.state, played)
    assert.equal(back.state.nodeId, 'main')
    assert.equal(back.state.retries, 0)
    // One more wrong key is a retry, not the end.
    assert.equal(ivr.step(back.state, press('9')).state.awaiting, 'digits')
  })
})

test.group('IVR interpreter | collecting digits', () => {
  function atAccount(node: Partial<CollectNode> = {}) {
    const flow = sampleFlow()
    Object.assign(flow.nodes.account, node)
    const { ivr, state } = atMainMenu(flow)
    return { ivr, step: ivr.step(state, press('2')) }
  }

  test('the collect prompt asks for up to maxDigits keys ending at the terminator', ({
    assert,
  }) => {
    const { step } = atAccount()
    assert.deepEqual(step.action, {
      type: 'play',
      media: ['sound:please-enter-your'],
      then: 'wait_digits',
      maxDigits: 10,
      timeoutSeconds: 6,
      terminator: '#',
    })
  })

  test('collected digits travel with the call into the queue', ({ assert }) => {
    const { ivr, step } = atAccount()
    const done = ivr.step(step.state, press('12345678#'))
    assert.deepEqual(done.action, {
      type: 'enter_queue',
      queueId: 'q-support',
      digitsCollected: { account_number: '12345678' },
    })
    assert.deepEqual(done.state.trail.at(-2), {
      nodeId: 'account',
      digits: '12345678#',
      outcome: 'collected',
    })
  })

  test('digits without the terminator are accepted too', ({ assert }) => {
    const { ivr, step } = atAccount()
    const done = ivr.step(step.state, press('1234567890'))
    assert.deepEqual(done.state.variables, { account_number: '1234567890' })
  })

  test('too few digits, other keys or only the terminator count as invalid', ({ assert }) => {
    const { ivr, step } = atAccount({ maxRetries: 5 })
    for (const digits of ['123#', '12*45678', '#', '12345678901']) {
      const next = ivr.step(step.state, press(digits))
      assert.equal(next.state.nodeId, 'account', digits)
      assert.equal(next.state.trail.at(-1)?.outcome, 'invalid', digits)
    }
  })

  test('an empty input counts as silence', ({ assert }) => {
    const { ivr, step } = atAccount()
    assert.equal(ivr.step(step.state, press('')).state.trail.at(-1)?.outcome, 'timeout')
  })

  test('after the last retry the caller goes to the fallback', ({ assert }) => {
    const { ivr, step } = atAccount({ fallback: 'goodbye' })
    const first = ivr.step(step.state, press('1#'))
    assert.equal(first.state.nodeId, 'account')
    const second = ivr.step(first.state, press('2#'))
    assert.deepEqual(second.action, { type: 'hangup' })
    assert.equal(second.state.nodeId, 'goodbye')
  })

  test('masked input stays out of the trail but not out of the variables', ({ assert }) => {
    const { ivr, step } = atAccount({ mask: true })
    const wrong = ivr.step(step.state, press('12#'))
    const done = ivr.step(wrong.state, press('1101011990'))
    assert.deepEqual(
      done.state.trail.filter((entry) => entry.nodeId === 'account').map((entry) => entry.digits),
      ['**#', '**********']
    )
    assert.deepEqual(done.state.variables, { account_number: '1101011990' })
    assert.notInclude(JSON.stringify(done.state.trail), '1101011990')
  })
})

test.group('IVR interpreter | robustness', () => {
  test('inputs that are not expected now change nothing', ({ assert }) => {
    const ivr = new IvrInterpreter(sampleFlow())
    const playing = ivr.start()
    for (const input of [press('1'), timeout, open]) {
      assert.deepEqual(ivr.step(playing.state, input), {
        state: playing.state,
        action: { type: 'none' },
      })
    }
    const { state: atMenu } = atMainMenu()
    assert.deepEqual(ivr.step(atMenu, played).action, { type: 'none' })
    assert.deepEqual(ivr.step(atMenu, closed).action, { type: 'none' })
  })

  test('nothing happens after the IVR has ended', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const done = ivr.step(state, press('1'))
    assert.deepEqual(ivr.step(done.state, press('2')), {
      state: done.state,
      action: { type: 'none' },
    })
  })

  test('a step never changes the state it was given', ({ assert }) => {
    const { ivr, state } = atMainMenu()
    const frozen = deepFreeze(structuredClone(state))
    const snapshot = JSON.stringify(frozen)
    ivr.step(frozen, press('8'))
    ivr.step(frozen, press('2'))
    ivr.step(frozen, timeout)
    assert.equal(JSON.stringify(frozen), snapshot)
  })

  test('the state survives a round trip through JSON, as when stored with the call', ({
    assert,
  }) => {
    const { ivr, state } = atMainMenu()
    const stored: IvrState = JSON.parse(JSON.stringify(ivr.step(state, press('2')).state))
    const resumed = new IvrInterpreter(sampleFlow()).step(stored, press('87654321'))
    assert.deepEqual(resumed.action, {
      type: 'enter_queue',
      queueId: 'q-support',
      digitsCollected: { account_number: '87654321' },
    })
  })

  test('a loop with no way out for the caller is hung up after the visit limit', ({ assert }) => {
    const flow = flowWith({
      closed_msg: { type: 'play', prompt: builtin('ss-noservice'), next: 'hours' },
    })
    const ivr = new IvrInterpreter(flow, { maxVisits: 9 })
    let step = ivr.start()
    let rounds = 0
    while (step.action.type !== 'hangup' && rounds++ < 50) {
      step = ivr.step(step.state, step.action.type === 'check_hours' ? closed : played)
    }
    assert.deepEqual(step.action, { type: 'hangup' })
    assert.equal(step.state.endReason, 'visit_limit')
    assert.equal(step.state.visits, 9)
  })

  test('a flow without its entry node cannot start', ({ assert }) => {
    const ivr = new IvrInterpreter({ entryNodeId: 'nope', nodes: {} })
    try {
      ivr.start()
      assert.fail('expected an IvrFlowError')
    } catch (error) {
      assert.instanceOf(error, IvrFlowError)
      assert.equal((error as IvrFlowError).code, 'missing_entry')
    }
  })

  test('a branch to a missing node fails loudly with the node named', ({ assert }) => {
    const ivr = new IvrInterpreter(
      flowWith({ welcome: { type: 'play', prompt: upload('12'), next: 'deleted' } })
    )
    try {
      ivr.step(ivr.start().state, played)
      assert.fail('expected an IvrFlowError')
    } catch (error) {
      assert.instanceOf(error, IvrFlowError)
      assert.equal((error as IvrFlowError).code, 'missing_node')
      assert.equal((error as IvrFlowError).nodeId, 'deleted')
    }
  })

  test('a node id that is an object property name is not taken for a node', ({ assert }) => {
    const ivr = new IvrInterpreter(
      flowWith({ welcome: { type: 'play', prompt: upload('12'), next: 'toString' } })
    )
    assert.throws(() => ivr.step(ivr.start().state, played), IvrFlowError)
  })

  test('an unsafe sound name is refused even in a flow that skipped validation', ({ assert }) => {
    const ivr = new IvrInterpreter(
      flowWith({
        welcome: { type: 'play', prompt: builtin('beep,recording:private/123'), next: 'main' },
      })
    )
    assert.throws(() => ivr.start(), IvrFlowError)
  })
})
