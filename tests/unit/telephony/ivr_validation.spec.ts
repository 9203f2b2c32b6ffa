import { test } from '@japa/runner'
import { validateFlow } from '#telephony/ivr/validate_flow'
import type { FlowIssue } from '#telephony/ivr/validate_flow'
import type { IvrFlow, MenuNode } from '#telephony/ivr/types'
import { builtin, context, flowWith, sampleFlow, upload } from '#tests/unit/telephony/ivr_fixtures'

const summary = (issues: FlowIssue[]) => issues.map((issue) => [issue.code, issue.nodeId])

function menu(overrides: Partial<MenuNode> = {}): MenuNode {
  return {
    type: 'menu',
    prompt: upload('13'),
    options: [{ digit: '1', next: 'sales' }],
    timeoutSeconds: 5,
    maxRetries: 2,
    ...overrides,
  }
}

test.group('IVR validation | structure', () => {
  test('a complete flow has no errors and no warnings', ({ assert }) => {
    assert.deepEqual(validateFlow(sampleFlow(), context), { valid: true, errors: [], warnings: [] })
  })

  test('a flow whose entry node does not exist cannot be saved', ({ assert }) => {
    const result = validateFlow({ ...sampleFlow(), entryNodeId: 'start' }, context)
    assert.isFalse(result.valid)
    assert.deepEqual(result.errors, [
      { severity: 'error', code: 'missing_entry', nodeId: null, params: { entryNodeId: 'start' } },
    ])
  })

  test('an empty flow is reported as missing its entry', ({ assert }) => {
    const result = validateFlow({ entryNodeId: '', nodes: {} }, context)
    assert.deepEqual(summary(result.errors), [['missing_entry', null]])
  })

  test('a branch to a node that does not exist is an error naming the branch', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        main: menu({
          options: [
            { digit: '1', next: 'sales' },
            { digit: '9', next: 'deleted' },
          ],
          onTimeout: 'gone',
        }),
      }),
      context
    )
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.nodeId, issue.params]),
      [
        ['dangling_branch', 'main', { branch: 'option', target: 'deleted', digit: '9' }],
        ['dangling_branch', 'main', { branch: 'onTimeout', target: 'gone' }],
      ]
    )
  })

  test('unreachable nodes are a warning that does not stop saving', ({ assert }) => {
    const result = validateFlow(
      flowWith({ old_menu: { type: 'play', prompt: upload('12'), next: 'goodbye' } }),
      context
    )
    assert.isTrue(result.valid)
    assert.deepEqual(result.errors, [])
    assert.deepEqual(summary(result.warnings), [['unreachable_node', 'old_menu']])
    assert.equal(result.warnings[0].severity, 'warning')
  })

  test('a node of an unknown type is an error', ({ assert }) => {
    const flow = sampleFlow()
    ;(flow.nodes as Record<string, unknown>).fax = { type: 'fax', next: 'goodbye' }
    const result = validateFlow(flow, context)
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.nodeId, issue.params]),
      [['unknown_node_type', 'fax', { type: 'fax' }]]
    )
  })
})

test.group('IVR validation | loops', () => {
  test('nodes that only lead to each other trap the caller and cannot be saved', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        welcome: { type: 'play', prompt: upload('12'), next: 'again' },
        again: { type: 'play', prompt: upload('12'), next: 'welcome' },
      }),
      context
    )
    assert.isFalse(result.valid)
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.nodeId, issue.params]),
      [['loop_without_exit', 'welcome', { nodes: 'welcome, again' }]]
    )
  })

  test('a menu that loops back to itself on invalid input is fine', ({ assert }) => {
    const result = validateFlow(
      flowWith({ main: menu({ onInvalid: 'main', onTimeout: 'main' }) }),
      context
    )
    assert.isTrue(result.valid)
  })

  test('a menu whose every key and fallback leads back into the loop cannot be saved', ({
    assert,
  }) => {
    const result = validateFlow(
      flowWith({
        main: menu({
          options: [
            { digit: '1', next: 'sub' },
            { digit: '2', next: 'main' },
          ],
          onInvalid: 'main',
          onTimeout: 'sub',
        }),
        sub: { type: 'play', prompt: upload('12'), next: 'main' },
      }),
      context
    )
    assert.deepEqual(summary(result.errors), [['loop_without_exit', 'main']])
    assert.equal(result.errors[0].params.nodes, 'main, sub')
  })

  test('a menu without a fallback is not a trap: running out of retries hangs up', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        main: menu({ options: [{ digit: '1', next: 'main' }], onInvalid: 'main' }),
      }),
      context
    )
    assert.isTrue(result.valid)
  })

  test('a loop through the opening-hours check with no question asked is a warning', ({
    assert,
  }) => {
    const result = validateFlow(
      flowWith({
        closed_msg: { type: 'play', prompt: builtin('ss-noservice'), next: 'hours' },
        closed_vm: null,
      }),
      context
    )
    assert.isTrue(result.valid)
    assert.deepEqual(summary(result.warnings), [['loop_without_input', 'hours']])
  })

  test('unreachable loops are still reported', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        orphan: { type: 'play', prompt: upload('12'), next: 'orphan' },
      }),
      context
    )
    assert.deepEqual(summary(result.errors), [['loop_without_exit', 'orphan']])
    assert.deepEqual(summary(result.warnings), [['unreachable_node', 'orphan']])
  })
})

test.group('IVR validation | nodes', () => {
  test('prompts must exist: an unknown upload or an empty builtin sound', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        welcome: { type: 'play', prompt: upload('99'), next: 'hours' },
        main: menu({ invalidPrompt: builtin('  ') }),
      }),
      context
    )
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.nodeId, issue.params]),
      [
        ['missing_prompt', 'welcome', { field: 'prompt', promptId: '99' }],
        ['missing_prompt', 'main', { field: 'invalidPrompt' }],
      ]
    )
  })

  test('a builtin sound name cannot smuggle in another media URI or path', ({ assert }) => {
    for (const sound of ['hello,recording:secret', '../../etc/passwd', 'sound:vm-goodbye']) {
      const result = validateFlow(
        flowWith({ welcome: { type: 'play', prompt: builtin(sound), next: 'hours' } }),
        context
      )
      assert.deepEqual(summary(result.errors), [['invalid_sound_name', 'welcome']], sound)
    }
    const nested = flowWith({
      welcome: { type: 'play', prompt: builtin('digits/1'), next: 'hours' },
    })
    assert.isTrue(validateFlow(nested, context).valid)
  })

  test('a menu needs options', ({ assert }) => {
    const result = validateFlow(flowWith({ main: menu({ options: [] }) }), context)
    assert.deepEqual(summary(result.errors), [['menu_without_options', 'main']])
  })

  test('a digit used twice in a menu is reported once', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        main: menu({
          options: [
            { digit: '1', next: 'sales' },
            { digit: '1', next: 'support' },
            { digit: '1', next: 'goodbye' },
          ],
        }),
      }),
      context
    )
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.params]),
      [['duplicate_digit', { digit: '1' }]]
    )
  })

  test('menu keys are single DTMF keys: 0-9, * and #', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        main: menu({
          options: ['1', '#', '*', '10', 'a', '', 'A'].map((digit) => ({ digit, next: 'sales' })),
        }),
      }),
      context
    )
    assert.deepEqual(
      result.errors.map((issue) => issue.params.digit),
      ['10', 'a', '', 'A']
    )
    assert.isTrue(result.errors.every((issue) => issue.code === 'invalid_digit'))
  })

  test('unknown queues, calendars and agents are errors', ({ assert }) => {
    const result = validateFlow(
      flowWith({
        sales: { type: 'queue', queueId: 'q-deleted' },
        hours: { type: 'hours', calendarId: 'cal-old', open: 'main', closed: 'closed_msg' },
        closed_vm: { type: 'voicemail', target: { agentId: 'agent-7' } },
      }),
      { ...context, knownAgentIds: ['agent-1'] }
    )
    assert.deepEqual(
      result.errors.map((issue) => [issue.code, issue.nodeId, issue.params]),
      [
        ['unknown_calendar', 'hours', { calendarId: 'cal-old' }],
        ['unknown_agent', 'closed_vm', { agentId: 'agent-7' }],
        ['unknown_queue', 'sales', { queueId: 'q-deleted' }],
      ]
    )
  })

  test('voicemail to a queue is checked against the known queues', ({ assert }) => {
    const result = validateFlow(
      flowWith({ closed_vm: { type: 'voicemail', target: { queueId: 'q-gone' } } }),
      context
    )
    assert.deepEqual(summary(result.errors), [['unknown_queue', 'closed_vm']])
    const noTarget = flowWith({ closed_vm: { type: 'voicemail', target: {} as never } })
    assert.deepEqual(summary(validateFlow(noTarget, context).errors), [
      ['invalid_voicemail_target', 'closed_vm'],
    ])
  })

  test('retries and timeouts out of range are errors', ({ assert }) => {
    for (const maxRetries of [-1, 11, 1.5, Number.NaN]) {
      const result = validateFlow(flowWith({ main: menu({ maxRetries }) }), context)
      assert.deepEqual(summary(result.errors), [['retries_out_of_range', 'main']], `${maxRetries}`)
    }
    for (const maxRetries of [0, 10]) {
      assert.isTrue(validateFlow(flowWith({ main: menu({ maxRetries }) }), context).valid)
    }
    const slow = validateFlow(flowWith({ main: menu({ timeoutSeconds: 0 }) }), context)
    assert.deepEqual(
      slow.errors.map((issue) => [issue.code, issue.params]),
      [['timeout_out_of_range', { field: 'timeoutSeconds', value: '0', min: 1, max: 60 }]]
    )
  })

  test('a collect node needs a sensible digit count, terminator and variable name', ({
    assert,
  }) => {
    const flow = sampleFlow()
    const account = flow.nodes.account
    if (account.type !== 'collect') throw new Error('fixture changed')
    Object.assign(account, {
      minDigits: 8,
      maxDigits: 4,
      terminator: '5',
      variable: '__proto__',
      maxRetries: 20,
    })
    const result = validateFlow(flow, context)
    assert.deepEqual(
      result.errors.map((issue) => issue.code),
      ['retries_out_of_range', 'digits_out_of_range', 'invalid_terminator', 'invalid_variable_name']
    )
  })

  test('a transfer needs a plain phone number', ({ assert }) => {
    for (const number of ['', 'SIP/evil', '138 0013 8000', '1']) {
      const result = validateFlow(flowWith({ operator: { type: 'transfer', number } }), context)
      assert.deepEqual(summary(result.errors), [['invalid_transfer_number', 'operator']], number)
    }
    for (const number of ['+8613800138000', '01088886666', '8001']) {
      assert.isTrue(
        validateFlow(flowWith({ operator: { type: 'transfer', number } }), context).valid
      )
    }
  })

  test('every issue carries a stable code, its node and plain parameters for translation', ({
    assert,
  }) => {
    const broken: IvrFlow = flowWith({
      main: menu({ options: [{ digit: 'x', next: 'nowhere' }], maxRetries: 99 }),
    })
    const { errors } = validateFlow(broken, context)
    assert.isAbove(errors.length, 0)
    for (const issue of errors) {
      assert.match(issue.code, /^[a-z_]+$/)
      assert.equal(issue.nodeId, 'main')
      for (const value of Object.values(issue.params)) {
        assert.oneOf(typeof value, ['string', 'number'])
      }
    }
  })
})
