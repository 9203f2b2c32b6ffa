import { test } from '@japa/runner'
import {
  averageHandleTime,
  countStaffedAgents,
  estimateWait,
  roundWaitForAnnouncement,
} from '#telephony/acd/wait_estimate'
import { checkOverflow, overflowDueAt } from '#telephony/acd/overflow'
import { validateQueueConfig } from '#telephony/acd/validate_queue_config'
import type { AgentState } from '#telephony/acd/types'
import { NOW, agent, call, queueConfig, seconds } from '#tests/unit/telephony/builders'

test.group('ACD | estimated wait', () => {
  test('the estimate is position × average handle time ÷ staffed agents', ({ assert }) => {
    // AHT 180 s; 3 agents free up one every 60 s; the second caller needs two of them.
    assert.equal(estimateWait(2, [120, 180, 240], 3), 120)
    assert.equal(estimateWait(1, [300], 1), 300)
    assert.equal(estimateWait(5, [100, 200], 4), 188)
  })

  test('without recent calls the default handle time of 3 minutes is assumed', ({ assert }) => {
    assert.equal(averageHandleTime([]), 180)
    assert.equal(estimateWait(1, [], 2), 90)
    assert.equal(estimateWait(1, [], 2, { defaultHandleTimeSeconds: 240 }), 120)
  })

  test('unusable samples are ignored and a call left open for hours is capped', ({ assert }) => {
    assert.equal(averageHandleTime([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 200]), 200)
    assert.equal(averageHandleTime([100, 5 * 3600]), (100 + 3600) / 2)
    assert.equal(averageHandleTime([100, 900], { maxHandleTimeSeconds: 500 }), 300)
  })

  test('the estimate never exceeds its cap', ({ assert }) => {
    assert.equal(estimateWait(500, [600], 1), 3600)
    assert.equal(estimateWait(500, [600], 1, { maxEstimateSeconds: 1800 }), 1800)
  })

  test('no wait is promised when no agent is staffed', ({ assert }) => {
    assert.isNull(estimateWait(1, [180], 0))
    assert.isNull(estimateWait(1, [180], Number.NaN))
  })

  test('a caller already being offered to an agent waits nothing more', ({ assert }) => {
    assert.equal(estimateWait(0, [180], 3), 0)
  })

  test('staffed agents are those available, ringing, on a call or in wrap-up', ({ assert }) => {
    const states: AgentState[] = [
      'available',
      'ringing',
      'on_call',
      'wrap_up',
      'break',
      'missed',
      'offline',
    ]
    const candidates = states.map((state, index) => agent(`a${index}`, { state }))
    assert.equal(countStaffedAgents(candidates), 4)
    assert.equal(countStaffedAgents([...candidates, agent('a0')]), 4)
  })

  test('announcements round the wait the way a person would say it', ({ assert }) => {
    const said = (secondsToWait: number) => roundWaitForAnnouncement(secondsToWait)
    assert.deepEqual(said(0), { kind: 'less_than_a_minute' })
    assert.deepEqual(said(59), { kind: 'less_than_a_minute' })
    assert.deepEqual(said(60), { kind: 'about_minutes', minutes: 1 })
    assert.deepEqual(said(89), { kind: 'about_minutes', minutes: 1 })
    assert.deepEqual(said(90), { kind: 'about_minutes', minutes: 2 })
    assert.deepEqual(said(9 * 60 + 20), { kind: 'about_minutes', minutes: 9 })
    assert.deepEqual(said(12 * 60), { kind: 'about_minutes', minutes: 10 })
    assert.deepEqual(said(13 * 60), { kind: 'about_minutes', minutes: 15 })
    assert.deepEqual(said(58 * 60), { kind: 'about_minutes', minutes: 60 })
    assert.deepEqual(said(3600), { kind: 'more_than_minutes', minutes: 60 })
    assert.deepEqual(roundWaitForAnnouncement(45 * 60, 30), {
      kind: 'more_than_minutes',
      minutes: 30,
    })
  })

  test('a nonsensical estimate is never announced as a number', ({ assert }) => {
    assert.deepEqual(roundWaitForAnnouncement(Number.NaN), { kind: 'less_than_a_minute' })
    assert.deepEqual(roundWaitForAnnouncement(-30), { kind: 'less_than_a_minute' })
    assert.deepEqual(roundWaitForAnnouncement(Number.POSITIVE_INFINITY), {
      kind: 'more_than_minutes',
      minutes: 60,
    })
  })
})

test.group('ACD | overflow', () => {
  const config = queueConfig({
    maxWaitSeconds: 120,
    overflow: { action: 'queue', target: 'backup' },
  })
  const waiting = call('c1', { enteredAt: NOW })

  test('a caller within the maximum wait stays in the queue', ({ assert }) => {
    assert.isNull(checkOverflow(waiting, config, NOW + seconds(119)))
  })

  test('a caller reaching the maximum wait overflows to the configured destination', ({
    assert,
  }) => {
    assert.deepEqual(checkOverflow(waiting, config, NOW + seconds(120)), {
      action: 'queue',
      target: 'backup',
      waitedSeconds: 120,
    })
    assert.deepEqual(checkOverflow(waiting, config, NOW + seconds(150.7)), {
      action: 'queue',
      target: 'backup',
      waitedSeconds: 150,
    })
  })

  test('each overflow action is passed through, without a target when none is set', ({
    assert,
  }) => {
    for (const action of ['voicemail', 'callback', 'hangup'] as const) {
      const decision = checkOverflow(
        waiting,
        queueConfig({ maxWaitSeconds: 10, overflow: { action } }),
        NOW + seconds(10)
      )
      assert.deepEqual(decision, { action, target: null, waitedSeconds: 10 })
    }
  })

  test('a queue without a wait limit never overflows', ({ assert }) => {
    const unlimited = queueConfig({ maxWaitSeconds: 0, overflow: { action: 'hangup' } })
    assert.isNull(checkOverflow(waiting, unlimited, NOW + seconds(86_400)))
    assert.isNull(overflowDueAt(waiting, unlimited))
  })

  test('the overflow timer is due exactly when the maximum wait is reached', ({ assert }) => {
    const dueAt = overflowDueAt(waiting, config)
    assert.equal(dueAt, NOW + seconds(120))
    assert.isNotNull(checkOverflow(waiting, config, dueAt!))
  })
})

test.group('ACD | queue settings', () => {
  test('sensible settings pass', ({ assert }) => {
    assert.deepEqual(validateQueueConfig(queueConfig()), [])
    assert.deepEqual(
      validateQueueConfig(queueConfig({ overflow: { action: 'queue', target: 'q2' } }), {
        knownQueueIds: ['q1', 'q2'],
      }),
      []
    )
  })

  test('an overflow to another queue needs that queue', ({ assert }) => {
    const missing = validateQueueConfig(queueConfig({ overflow: { action: 'queue' } }))
    assert.deepEqual(missing, [
      { code: 'overflow_target_required', field: 'overflow.target', params: {} },
    ])
    const unknown = validateQueueConfig(
      queueConfig({ overflow: { action: 'queue', target: 'nowhere' } }),
      { knownQueueIds: ['q1'] }
    )
    assert.deepEqual(unknown, [
      { code: 'unknown_queue', field: 'overflow.target', params: { queueId: 'nowhere' } },
    ])
  })

  test('timings outside their ranges are refused, naming the field', ({ assert }) => {
    const issues = validateQueueConfig(
      queueConfig({ ringTimeoutSeconds: 0, wrapUpSeconds: -1, maxWaitSeconds: 1.5 })
    )
    assert.deepEqual(
      issues.map((issue) => [issue.code, issue.field]),
      [
        ['out_of_range', 'ringTimeoutSeconds'],
        ['out_of_range', 'wrapUpSeconds'],
        ['out_of_range', 'maxWaitSeconds'],
      ]
    )
    assert.deepEqual(issues[0].params, { min: 5, max: 300, value: '0' })
  })

  test('an unknown strategy or overflow action is refused', ({ assert }) => {
    const issues = validateQueueConfig({
      ...queueConfig(),
      strategy: 'random' as never,
      overflow: { action: 'fax' as never },
    })
    assert.deepEqual(
      issues.map((issue) => issue.code),
      ['unknown_strategy', 'unknown_overflow_action']
    )
  })
})
