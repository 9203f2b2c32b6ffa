import { test } from '@japa/runner'
import { orderQueue, position } from '#telephony/acd/queue_order'
import { matchAcrossQueues, matchCallsToAgents } from '#telephony/acd/matching'
import { isEligible, selectAgent } from '#telephony/acd/strategies'
import type { AgentCandidate, QueuedCall } from '#telephony/acd/types'
import {
  NOW,
  agent,
  call,
  queueConfig,
  seconds,
  seededRandom,
} from '#tests/unit/telephony/builders'

const ids = (items: { callId: string }[]) => items.map((item) => item.callId)

test.group('ACD | queue order', () => {
  test('a VIP caller jumps ahead of an earlier normal caller', ({ assert }) => {
    const calls = [
      call('normal', { enteredAt: NOW - seconds(300), priority: 0 }),
      call('vip', { enteredAt: NOW - seconds(10), priority: 10 }),
    ]
    assert.deepEqual(ids(orderQueue(calls)), ['vip', 'normal'])
  })

  test('callers of equal priority are served in arrival order', ({ assert }) => {
    const calls = [
      call('third', { enteredAt: NOW - seconds(10) }),
      call('first', { enteredAt: NOW - seconds(90) }),
      call('second', { enteredAt: NOW - seconds(40) }),
    ]
    assert.deepEqual(ids(orderQueue(calls)), ['first', 'second', 'third'])
  })

  test('callers who arrived at the same instant keep a stable order', ({ assert }) => {
    const calls = [call('b', { enteredAt: NOW }), call('a', { enteredAt: NOW })]
    assert.deepEqual(ids(orderQueue(calls)), ['a', 'b'])
    assert.deepEqual(ids(orderQueue([...calls].reverse())), ['a', 'b'])
  })

  test('ordering leaves the list it was given untouched', ({ assert }) => {
    const calls = [call('late', { enteredAt: NOW }), call('early', { enteredAt: NOW - 1 })]
    orderQueue(calls)
    assert.deepEqual(ids(calls), ['late', 'early'])
  })

  test('a position is 1-based and counts higher-priority callers as ahead', ({ assert }) => {
    const calls = [
      call('c1', { enteredAt: NOW - seconds(300) }),
      call('c2', { enteredAt: NOW - seconds(200) }),
      call('vip', { enteredAt: NOW - seconds(5), priority: 5 }),
    ]
    assert.equal(position('vip', calls), 1)
    assert.equal(position('c1', calls), 2)
    assert.equal(position('c2', calls), 3)
    assert.isNull(position('gone', calls))
  })

  test('positions agree with the serving order', ({ assert }) => {
    const random = seededRandom(7)
    const calls = Array.from({ length: 40 }, (_, i) =>
      call(`c${i}`, {
        enteredAt: NOW - Math.floor(random() * 20) * 1000,
        priority: Math.floor(random() * 3),
      })
    )
    orderQueue(calls).forEach((queued, index) => {
      assert.equal(position(queued.callId, calls), index + 1)
    })
  })
})

test.group('ACD | matching a queue', () => {
  const longestIdle = queueConfig({ strategy: 'longest_idle' })

  test('free agents take the waiting callers in queue order, one call each', ({ assert }) => {
    const calls = [
      call('c2', { enteredAt: NOW - seconds(20) }),
      call('c1', { enteredAt: NOW - seconds(60) }),
      call('c3', { enteredAt: NOW - seconds(5) }),
    ]
    const agents = [
      agent('a1', { availableSince: NOW - seconds(10) }),
      agent('a2', { availableSince: NOW - seconds(500) }),
    ]
    const { assignments } = matchCallsToAgents(calls, agents, longestIdle, NOW)
    assert.deepEqual(
      assignments.map(({ call: c, agent: a }) => [c.callId, a.agentId]),
      [
        ['c1', 'a2'],
        ['c2', 'a1'],
      ]
    )
  })

  test('with one free agent the VIP caller is served first', ({ assert }) => {
    const calls = [
      call('normal', { enteredAt: NOW - seconds(600) }),
      call('vip', { enteredAt: NOW - seconds(1), priority: 9 }),
    ]
    const { assignments } = matchCallsToAgents(calls, [agent('a1')], longestIdle, NOW)
    assert.deepEqual(ids(assignments.map((a) => a.call)), ['vip'])
  })

  test('nobody is matched when no agent is free', ({ assert }) => {
    const result = matchCallsToAgents(
      [call('c1')],
      [agent('a1', { state: 'on_call' }), agent('a2', { state: 'break' })],
      longestIdle,
      NOW,
      'a1'
    )
    assert.deepEqual(result, { assignments: [], cursor: 'a1' })
  })

  test('a caller no free agent can serve does not hold up the callers behind', ({ assert }) => {
    const calls = [
      call('needs-french', { enteredAt: NOW - seconds(300), requiredSkill: 'french' }),
      call('anyone', { enteredAt: NOW - seconds(10) }),
    ]
    const { assignments } = matchCallsToAgents(calls, [agent('a1')], longestIdle, NOW)
    assert.deepEqual(ids(assignments.map((a) => a.call)), ['anyone'])
  })

  test('a skilled agent is not spent on a caller another agent could serve', ({ assert }) => {
    const skillsBased = queueConfig({ strategy: 'skills_based' })
    const calls = [
      call('billing', { enteredAt: NOW - seconds(60), requiredSkill: 'billing' }),
      call('english', {
        enteredAt: NOW - seconds(30),
        requiredSkill: 'english',
        minSkillLevel: 5,
      }),
    ]
    const agents = [
      agent('x', { skills: { billing: 8, english: 9 } }),
      agent('y', { skills: { billing: 3 } }),
    ]
    // selectAgent alone would give the billing caller x, the best at billing, and strand the
    // English caller; the whole-queue match serves both.
    assert.equal(selectAgent(calls[0], agents, skillsBased, NOW).agent?.agentId, 'x')
    const { assignments } = matchCallsToAgents(calls, agents, skillsBased, NOW)
    assert.deepEqual(
      assignments.map(({ call: c, agent: a }) => [c.callId, a.agentId]),
      [
        ['billing', 'y'],
        ['english', 'x'],
      ]
    )
  })

  test('an earlier caller is never left waiting so that a later one is served', ({ assert }) => {
    const calls = [
      call('first', { enteredAt: NOW - seconds(60), requiredSkill: 'vip_care' }),
      call('second', { enteredAt: NOW - seconds(30), requiredSkill: 'vip_care' }),
    ]
    const { assignments } = matchCallsToAgents(
      calls,
      [agent('only', { skills: { vip_care: 5 } })],
      longestIdle,
      NOW
    )
    assert.deepEqual(ids(assignments.map((a) => a.call)), ['first'])
  })

  test('the strategy still decides who serves a caller when it costs nobody a call', ({
    assert,
  }) => {
    const skillsBased = queueConfig({ strategy: 'skills_based' })
    const calls = [
      call('c1', { enteredAt: NOW - seconds(60), requiredSkill: 'billing' }),
      call('c2', { enteredAt: NOW - seconds(30), requiredSkill: 'billing' }),
    ]
    const agents = [
      agent('low', { skills: { billing: 2 } }),
      agent('high', { skills: { billing: 9 } }),
      agent('mid', { skills: { billing: 5 } }),
    ]
    const { assignments } = matchCallsToAgents(calls, agents, skillsBased, NOW)
    assert.deepEqual(
      assignments.map(({ call: c, agent: a }) => [c.callId, a.agentId]),
      [
        ['c1', 'high'],
        ['c2', 'mid'],
      ]
    )
  })

  test('round robin carries its cursor across the calls of one pass', ({ assert }) => {
    const roundRobin = queueConfig({ strategy: 'round_robin' })
    const calls = [call('c1', { enteredAt: NOW - 2 }), call('c2', { enteredAt: NOW - 1 })]
    const agents = [agent('a1'), agent('a2'), agent('a3')]
    const result = matchCallsToAgents(calls, agents, roundRobin, NOW, 'a1')
    assert.deepEqual(
      result.assignments.map((a) => a.agent.agentId),
      ['a2', 'a3']
    )
    assert.equal(result.cursor, 'a3')
  })

  test('an agent listed twice is still given only one call', ({ assert }) => {
    const a1 = agent('a1')
    const { assignments } = matchCallsToAgents([call('c1'), call('c2')], [a1, a1], longestIdle, NOW)
    assert.lengthOf(assignments, 1)
  })

  test('when any agent may take any caller, matching equals offering callers one by one', ({
    assert,
  }) => {
    const random = seededRandom(99)
    const strategies = [
      'longest_idle',
      'round_robin',
      'fewest_calls_today',
      'skills_based',
    ] as const
    for (let round = 0; round < 100; round++) {
      const agents = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) =>
        agent(`a${i}`, {
          availableSince: NOW - Math.floor(random() * 50) * 1000,
          callsToday: Math.floor(random() * 4),
        })
      )
      const calls = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, i) =>
        call(`c${i}`, { enteredAt: NOW - Math.floor(random() * 50) * 1000 })
      )
      const config = queueConfig({ strategy: strategies[round % strategies.length] })

      const expected: string[][] = []
      let free = agents
      let cursor: string | null = 'a1'
      for (const waiting of orderQueue(calls)) {
        const pick = selectAgent(waiting, free, config, NOW, cursor)
        if (!pick.agent) break
        expected.push([waiting.callId, pick.agent.agentId])
        free = free.filter((a) => a !== pick.agent)
        cursor = pick.cursor
      }
      const result = matchCallsToAgents(calls, agents, config, NOW, 'a1')
      assert.deepEqual(
        result.assignments.map(({ call: c, agent: a }) => [c.callId, a.agentId]),
        expected
      )
      assert.equal(result.cursor, cursor)
    }
  })

  test('a busy morning of 300 agents and 2000 callers is matched quickly', ({ assert }) => {
    const random = seededRandom(5)
    const skills = ['billing', 'english', 'cantonese', 'tech', 'vip_care']
    const agents = Array.from({ length: 300 }, (_, i) =>
      agent(`a${i}`, {
        availableSince: NOW - Math.floor(random() * 1000) * 1000,
        skills: Object.fromEntries(
          skills.filter(() => random() < 0.4).map((s) => [s, 1 + Math.floor(random() * 10)])
        ),
      })
    )
    const calls = Array.from({ length: 2000 }, (_, i) =>
      call(`c${i}`, {
        enteredAt: NOW - Math.floor(random() * 1000) * 1000,
        requiredSkill: skills[Math.floor(random() * skills.length)],
        minSkillLevel: 1 + Math.floor(random() * 8),
      })
    )
    const started = performance.now()
    const { assignments } = matchCallsToAgents(
      calls,
      agents,
      queueConfig({ strategy: 'skills_based' }),
      NOW
    )
    assert.isAbove(assignments.length, 250)
    assert.isBelow(performance.now() - started, 2000)
  })

  test('generated queues: every match is valid, maximal and fair to earlier callers', ({
    assert,
  }) => {
    const random = seededRandom(2025)
    const skills = ['billing', 'english', 'cantonese']
    const strategies = [
      'longest_idle',
      'round_robin',
      'fewest_calls_today',
      'skills_based',
    ] as const
    for (let round = 0; round < 300; round++) {
      const agents = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) =>
        agent(`a${i}`, {
          state: random() < 0.8 ? 'available' : 'on_call',
          availableSince: NOW - Math.floor(random() * 100) * 1000,
          callsToday: Math.floor(random() * 5),
          skills: Object.fromEntries(
            skills.filter(() => random() < 0.6).map((s) => [s, 1 + Math.floor(random() * 10)])
          ),
        })
      )
      const calls = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) =>
        call(`c${i}`, {
          enteredAt: NOW - Math.floor(random() * 100) * 1000,
          priority: Math.floor(random() * 2),
          requiredSkill: random() < 0.7 ? skills[Math.floor(random() * skills.length)] : null,
          minSkillLevel: 1 + Math.floor(random() * 6),
          excludedAgentIds: agents.filter(() => random() < 0.15).map((a) => a.agentId),
        })
      )
      const config = queueConfig({ strategy: strategies[round % strategies.length] })
      const { assignments } = matchCallsToAgents(calls, agents, config, NOW, null)

      const usedAgents = new Set(assignments.map((a) => a.agent.agentId))
      assert.equal(usedAgents.size, assignments.length, 'one call per agent')
      for (const { call: c, agent: a } of assignments) {
        assert.isTrue(isEligible(a, c, NOW), 'only eligible agents')
      }
      const served = new Set(assignments.map((a) => a.call.callId))
      assert.deepEqual(
        orderQueue(calls)
          .filter((c) => served.has(c.callId))
          .map((c) => c.callId),
        assignments.map((a) => a.call.callId),
        'assignments in queue order'
      )
      assert.deepEqual(
        [...served].sort(),
        bestServedSet(orderQueue(calls), agents).sort(),
        `round ${round}`
      )
    }
  })
})

/**
 * By brute force: of all ways to give calls distinct eligible agents, the one serving the
 * earliest callers (compared caller by caller in queue order), which is also a largest one.
 */
function bestServedSet(ordered: QueuedCall[], agents: AgentCandidate[]): string[] {
  let best: boolean[] = ordered.map(() => false)
  const better = (a: boolean[], b: boolean[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]
    return false
  }
  const explore = (index: number, used: Set<string>, served: boolean[]) => {
    if (index === ordered.length) {
      if (better(served, best)) best = [...served]
      return
    }
    for (const candidate of agents) {
      if (used.has(candidate.agentId) || !isEligible(candidate, ordered[index], NOW)) continue
      used.add(candidate.agentId)
      served[index] = true
      explore(index + 1, used, served)
      served[index] = false
      used.delete(candidate.agentId)
    }
    explore(index + 1, used, served)
  }
  explore(
    0,
    new Set(),
    ordered.map(() => false)
  )
  return ordered.filter((_, i) => best[i]).map((c) => c.callId)
}

test.group('ACD | matching across queues', () => {
  test('an agent in two queues serves the higher-priority queue first', ({ assert }) => {
    const shared = agent('a1')
    const result = matchAcrossQueues(
      [
        {
          queueId: 'general',
          config: queueConfig({ priority: 1 }),
          calls: [call('g1', { enteredAt: NOW - seconds(900) })],
          candidates: [shared],
        },
        {
          queueId: 'vip',
          config: queueConfig({ priority: 5 }),
          calls: [call('v1', { enteredAt: NOW - seconds(5) })],
          candidates: [shared],
        },
      ],
      NOW
    )
    assert.deepEqual(
      result.assignments.map((a) => [a.queueId, a.call.callId, a.agent.agentId]),
      [['vip', 'v1', 'a1']]
    )
  })

  test('between queues of equal priority the longest-waiting caller goes first', ({ assert }) => {
    const shared = agent('a1')
    const result = matchAcrossQueues(
      [
        { queueId: 'q1', config: queueConfig(), calls: [call('new')], candidates: [shared] },
        {
          queueId: 'q2',
          config: queueConfig(),
          calls: [call('old', { enteredAt: NOW - seconds(600) })],
          candidates: [shared],
        },
        { queueId: 'q3', config: queueConfig(), calls: [], candidates: [shared] },
      ],
      NOW
    )
    assert.deepEqual(
      result.assignments.map((a) => a.queueId),
      ['q2']
    )
    assert.deepEqual(result.cursors, { q1: null, q2: 'a1', q3: null })
  })

  test('each queue keeps its own round-robin cursor', ({ assert }) => {
    const roundRobin = queueConfig({ strategy: 'round_robin' })
    const result = matchAcrossQueues(
      [
        {
          queueId: 'sales',
          config: roundRobin,
          calls: [call('s1')],
          candidates: [agent('a1'), agent('a2')],
          roundRobinCursor: 'a1',
        },
        {
          queueId: 'support',
          config: roundRobin,
          calls: [call('t1')],
          candidates: [agent('a3'), agent('a4')],
          roundRobinCursor: 'a4',
        },
      ],
      NOW
    )
    assert.deepEqual(result.cursors, { sales: 'a2', support: 'a3' })
  })
})
