import { test } from '@japa/runner'
import { isEligible, rankAgents, selectAgent } from '#telephony/acd/strategies'
import type { AgentState, QueueStrategy } from '#telephony/acd/types'
import { NOW, agent, call, queueConfig, seconds } from '#tests/unit/telephony/builders'

const longestIdle = queueConfig({ strategy: 'longest_idle' })

test.group('ACD | eligibility', () => {
  test('an agent on break is never offered a call', ({ assert }) => {
    for (const strategy of ['longest_idle', 'round_robin', 'fewest_calls_today', 'skills_based']) {
      const result = selectAgent(
        call('c1'),
        [agent('a1', { state: 'break', availableSince: NOW - seconds(3600) })],
        queueConfig({ strategy: strategy as QueueStrategy }),
        NOW
      )
      assert.isNull(result.agent, strategy)
    }
  })

  test('only available agents are offered calls', ({ assert }) => {
    const busyStates: AgentState[] = ['ringing', 'on_call', 'wrap_up', 'break', 'missed', 'offline']
    const candidates = busyStates.map((state, index) =>
      agent(`busy-${index}`, { state, availableSince: NOW - seconds(9999) })
    )
    assert.isNull(selectAgent(call('c1'), candidates, longestIdle, NOW).agent)

    const withFree = [...candidates, agent('free', { availableSince: NOW })]
    assert.equal(selectAgent(call('c1'), withFree, longestIdle, NOW).agent?.agentId, 'free')
  })

  test('an agent still in wrap-up time is not offered a call until it ends', ({ assert }) => {
    const a1 = agent('a1', { wrapUpUntil: NOW + seconds(5) })
    assert.isFalse(isEligible(a1, call('c1'), NOW))
    assert.isTrue(isEligible(a1, call('c1'), NOW + seconds(5)))
    assert.isTrue(isEligible(agent('a2', { wrapUpUntil: null }), call('c1'), NOW))
  })

  test('an agent who missed or refused the call is not offered it again', ({ assert }) => {
    const candidates = [
      agent('a1', { availableSince: NOW - seconds(600) }),
      agent('a2', { availableSince: NOW - seconds(10) }),
    ]
    const result = selectAgent(
      call('c1', { excludedAgentIds: ['a1'] }),
      candidates,
      longestIdle,
      NOW
    )
    assert.equal(result.agent?.agentId, 'a2')

    const everyone = call('c1', { excludedAgentIds: ['a1', 'a2'] })
    assert.isNull(selectAgent(everyone, candidates, longestIdle, NOW).agent)
  })

  test('an agent without the required skill is never offered the call, whatever the strategy', ({
    assert,
  }) => {
    const needsEnglish = call('c1', { requiredSkill: 'english', minSkillLevel: 5 })
    const candidates = [
      agent('none', { skills: { billing: 9 }, availableSince: NOW - seconds(900) }),
      agent('weak', { skills: { english: 4 }, availableSince: NOW - seconds(800) }),
      agent('good', { skills: { english: 5 }, availableSince: NOW - seconds(10) }),
    ]
    for (const strategy of ['longest_idle', 'round_robin', 'fewest_calls_today', 'skills_based']) {
      const config = queueConfig({ strategy: strategy as QueueStrategy })
      assert.equal(selectAgent(needsEnglish, candidates, config, NOW).agent?.agentId, 'good')
    }
  })

  test('a required skill without a minimum level accepts any level from 1', ({ assert }) => {
    const needsEnglish = call('c1', { requiredSkill: 'english' })
    assert.isTrue(isEligible(agent('a1', { skills: { english: 1 } }), needsEnglish, NOW))
    assert.isFalse(isEligible(agent('a2', { skills: { english: 0 } }), needsEnglish, NOW))
    assert.isFalse(isEligible(agent('a3', { skills: {} }), needsEnglish, NOW))
  })

  test('a skill named like an object property is not found on an agent without it', ({
    assert,
  }) => {
    const odd = call('c1', { requiredSkill: 'constructor' })
    assert.isFalse(isEligible(agent('a1'), odd, NOW))
    assert.isTrue(isEligible(agent('a2', { skills: { constructor: 3 } }), odd, NOW))
  })

  test('when nobody is eligible the round-robin cursor is kept', ({ assert }) => {
    const result = selectAgent(call('c1'), [], queueConfig({ strategy: 'round_robin' }), NOW, 'a7')
    assert.deepEqual(result, { agent: null, cursor: 'a7' })
  })
})

test.group('ACD | longest idle', () => {
  test('the agent idle the longest is offered the call', ({ assert }) => {
    const candidates = [
      agent('a1', { availableSince: NOW - seconds(30) }),
      agent('a2', { availableSince: NOW - seconds(300) }),
      agent('a3', { availableSince: NOW - seconds(120) }),
    ]
    const result = selectAgent(call('c1'), candidates, longestIdle, NOW)
    assert.equal(result.agent?.agentId, 'a2')
    assert.equal(result.cursor, 'a2')
  })

  test('equal idle time goes to the agent offered a call least recently, then by id', ({
    assert,
  }) => {
    const since = NOW - seconds(100)
    const candidates = [
      agent('a3', { availableSince: since, lastOfferedAt: NOW - seconds(50) }),
      agent('a2', { availableSince: since, lastOfferedAt: NOW - seconds(500) }),
      agent('a1', { availableSince: since, lastOfferedAt: NOW - seconds(50) }),
    ]
    assert.deepEqual(
      rankAgents(call('c1'), candidates, longestIdle, NOW).map((a) => a.agentId),
      ['a2', 'a1', 'a3']
    )
    const neverOffered = agent('a9', { availableSince: since, lastOfferedAt: null })
    assert.equal(
      selectAgent(call('c1'), [...candidates, neverOffered], longestIdle, NOW).agent?.agentId,
      'a9'
    )
  })

  test('the choice does not depend on the order agents are listed in', ({ assert }) => {
    const candidates = [
      agent('a1', { availableSince: NOW - seconds(50), callsToday: 3, skills: { x: 4 } }),
      agent('a2', { availableSince: NOW - seconds(50), callsToday: 1, skills: { x: 7 } }),
      agent('a3', { availableSince: NOW - seconds(80), callsToday: 1, skills: { x: 7 } }),
      agent('a4', { availableSince: NOW - seconds(20), callsToday: 0, skills: { x: 2 } }),
    ]
    const permutations = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ]
    for (const strategy of ['longest_idle', 'round_robin', 'fewest_calls_today', 'skills_based']) {
      const config = queueConfig({ strategy: strategy as QueueStrategy })
      const picks = permutations.map(
        (order) =>
          selectAgent(
            call('c1', { requiredSkill: 'x' }),
            order.map((i) => candidates[i]),
            config,
            NOW,
            'a2'
          ).agent?.agentId
      )
      assert.lengthOf(new Set(picks), 1, strategy)
    }
  })
})

test.group('ACD | fewest calls today', () => {
  const fewest = queueConfig({ strategy: 'fewest_calls_today' })

  test('the agent with the fewest calls today is offered the call', ({ assert }) => {
    const candidates = [
      agent('a1', { callsToday: 12, availableSince: NOW - seconds(900) }),
      agent('a2', { callsToday: 4, availableSince: NOW - seconds(10) }),
      agent('a3', { callsToday: 9 }),
    ]
    assert.equal(selectAgent(call('c1'), candidates, fewest, NOW).agent?.agentId, 'a2')
  })

  test('agents with equally few calls are ranked by idle time', ({ assert }) => {
    const candidates = [
      agent('a1', { callsToday: 4, availableSince: NOW - seconds(10) }),
      agent('a2', { callsToday: 4, availableSince: NOW - seconds(400) }),
      agent('a3', { callsToday: 5, availableSince: NOW - seconds(4000) }),
    ]
    assert.deepEqual(
      rankAgents(call('c1'), candidates, fewest, NOW).map((a) => a.agentId),
      ['a2', 'a1', 'a3']
    )
  })
})

test.group('ACD | skills based', () => {
  const skillsBased = queueConfig({ strategy: 'skills_based' })

  test('the agent with the highest level in the required skill is offered the call', ({
    assert,
  }) => {
    const candidates = [
      agent('novice', { skills: { cantonese: 2 }, availableSince: NOW - seconds(3000) }),
      agent('expert', { skills: { cantonese: 9 }, availableSince: NOW - seconds(5) }),
      agent('middle', { skills: { cantonese: 6, english: 10 } }),
    ]
    const result = selectAgent(
      call('c1', { requiredSkill: 'cantonese' }),
      candidates,
      skillsBased,
      NOW
    )
    assert.equal(result.agent?.agentId, 'expert')
  })

  test('agents at the same level are ranked by idle time', ({ assert }) => {
    const candidates = [
      agent('a1', { skills: { billing: 7 }, availableSince: NOW - seconds(20) }),
      agent('a2', { skills: { billing: 7 }, availableSince: NOW - seconds(200) }),
      agent('a3', { skills: { billing: 3 }, availableSince: NOW - seconds(2000) }),
    ]
    assert.deepEqual(
      rankAgents(call('c1', { requiredSkill: 'billing' }), candidates, skillsBased, NOW).map(
        (a) => a.agentId
      ),
      ['a2', 'a1', 'a3']
    )
  })

  test('a call that needs no particular skill goes to the agent idle the longest', ({ assert }) => {
    const candidates = [
      agent('a1', { skills: { billing: 10 }, availableSince: NOW - seconds(20) }),
      agent('a2', { skills: {}, availableSince: NOW - seconds(200) }),
    ]
    assert.equal(selectAgent(call('c1'), candidates, skillsBased, NOW).agent?.agentId, 'a2')
  })
})

test.group('ACD | round robin', () => {
  const roundRobin = queueConfig({ strategy: 'round_robin' })

  test('calls rotate over the agents in a stable order', ({ assert }) => {
    const candidates = [agent('a3'), agent('a1'), agent('a2')]
    let cursor: string | null = null
    const offered: string[] = []
    for (let i = 0; i < 5; i++) {
      const result = selectAgent(call(`c${i}`), candidates, roundRobin, NOW, cursor)
      offered.push(result.agent!.agentId)
      cursor = result.cursor
    }
    assert.deepEqual(offered, ['a1', 'a2', 'a3', 'a1', 'a2'])
  })

  test('idle time plays no part in round robin', ({ assert }) => {
    const candidates = [
      agent('a1', { availableSince: NOW - seconds(1) }),
      agent('a2', { availableSince: NOW - seconds(9999) }),
    ]
    assert.equal(selectAgent(call('c1'), candidates, roundRobin, NOW, null).agent?.agentId, 'a1')
  })

  test('busy agents are skipped and the rotation continues after them', ({ assert }) => {
    const candidates = [agent('a1'), agent('a2', { state: 'on_call' }), agent('a3')]
    assert.equal(selectAgent(call('c1'), candidates, roundRobin, NOW, 'a1').agent?.agentId, 'a3')
    assert.equal(selectAgent(call('c1'), candidates, roundRobin, NOW, 'a3').agent?.agentId, 'a1')
  })

  test('the rotation survives the agent at the cursor logging off', ({ assert }) => {
    const candidates = [agent('a1'), agent('a3'), agent('a4')]
    assert.equal(selectAgent(call('c1'), candidates, roundRobin, NOW, 'a2').agent?.agentId, 'a3')
  })

  test('numeric agent ids rotate in numeric order', ({ assert }) => {
    const candidates = [agent('10'), agent('9'), agent('100')]
    assert.deepEqual(
      rankAgents(call('c1'), candidates, roundRobin, NOW, null).map((a) => a.agentId),
      ['9', '10', '100']
    )
    assert.equal(selectAgent(call('c1'), candidates, roundRobin, NOW, '9').agent?.agentId, '10')
  })
})
