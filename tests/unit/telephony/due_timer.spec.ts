import { test } from '@japa/runner'
import { setTimeoutAt } from '#telephony/acd/due_timer'

test.group('Due timers (the max-wait overflow)', () => {
  test('never runs before Date.now() reaches the due time, and runs every one', async ({
    assert,
  }) => {
    // Node fires about 3 % of plain timers 1 ms early by Date.now(): 400 of them at once catch it.
    const total = 400
    const early: number[] = []
    let ran = 0
    await new Promise<void>((resolve) => {
      for (let i = 0; i < total; i++) {
        const dueAt = Date.now() + 5 + Math.floor(Math.random() * 60)
        setTimeoutAt(dueAt, () => {
          const now = Date.now()
          if (now < dueAt) early.push(now - dueAt)
          if (++ran === total) resolve()
        })
      }
    })
    assert.equal(ran, total)
    assert.deepEqual(early, [], 'no timer ran before its due time')
  })

  test('the owner can clear it, including after an early firing re-armed it', async ({
    assert,
  }) => {
    const timers: NodeJS.Timeout[] = []
    let ran = false
    setTimeoutAt(
      Date.now() + 30,
      () => (ran = true),
      (timer) => timers.push(timer)
    )
    await new Promise((resolve) => setTimeout(resolve, 10))
    for (const timer of timers) clearTimeout(timer)
    await new Promise((resolve) => setTimeout(resolve, 60))
    assert.isFalse(ran)
    assert.isAtLeast(timers.length, 1)
  })
})
