import { test } from '@japa/runner'
import { AriEvents, orderingKey } from '#telephony/ari/index'
import type { AriEvent } from '#telephony/ari/index'

/*
| The ordering guarantee of the event stream, fed through dispatch() without Asterisk: what a call
| object relies on when its StasisStart handler is still busy as the next event arrives.
*/

function channelEvent(type: string, channelId: string): AriEvent {
  return {
    type,
    application: 'ringdesk',
    timestamp: new Date().toISOString(),
    channel: { id: channelId },
  } as AriEvent
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function newEvents() {
  return new AriEvents({ url: 'http://127.0.0.1:1', username: 'u', password: 'p', app: 'ringdesk' })
}

test.group('ARI events | ordering', () => {
  test('a channel event waits for the async handler of the previous one', async ({ assert }) => {
    const events = newEvents()
    const log: string[] = []
    events.onEvent('StasisStart', async (event) => {
      log.push(`start:${event.channel.id}:begin`)
      await sleep(50)
      log.push(`start:${event.channel.id}:end`)
    })
    events.onEvent('StasisEnd', (event) => {
      log.push(`end:${event.channel.id}`)
    })

    void events.dispatch(channelEvent('StasisStart', 'a'))
    void events.dispatch(channelEvent('StasisEnd', 'a'))
    await events.idle()

    assert.deepEqual(log, ['start:a:begin', 'start:a:end', 'end:a'])
  })

  test('other channels are not held up by a slow one', async ({ assert }) => {
    const events = newEvents()
    const log: string[] = []
    events.onEvent('StasisStart', async (event) => {
      if (event.channel.id === 'slow') await sleep(80)
      log.push(`start:${event.channel.id}`)
    })

    void events.dispatch(channelEvent('StasisStart', 'slow'))
    void events.dispatch(channelEvent('StasisStart', 'fast'))
    await events.idle()

    assert.deepEqual(log, ['start:fast', 'start:slow'])
  })

  test('a failing handler is reported and does not block the channel', async ({ assert }) => {
    const events = newEvents()
    const failures: unknown[] = []
    const log: string[] = []
    events.on('handlerError', (error) => failures.push(error))
    events.onEvent('StasisStart', () => {
      throw new Error('boom')
    })
    events.onEvent('StasisEnd', () => {
      log.push('end')
    })

    void events.dispatch(channelEvent('StasisStart', 'a'))
    void events.dispatch(channelEvent('StasisEnd', 'a'))
    await events.idle()

    assert.lengthOf(failures, 1)
    assert.deepEqual(log, ['end'])
  })

  test('playback events join the queue of the channel they play to', ({ assert }) => {
    const playback = {
      type: 'PlaybackFinished',
      application: 'ringdesk',
      timestamp: '',
      playback: { id: 'p1', media_uri: 'sound:x', target_uri: 'channel:a', state: 'done' },
    } as AriEvent
    assert.equal(orderingKey(playback), 'channel:a')
    assert.equal(orderingKey(channelEvent('StasisEnd', 'a')), 'channel:a')
  })
})
