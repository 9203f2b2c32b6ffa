import { test } from '@japa/runner'
import { createAri, orderingKey } from '#telephony/ari/index'
import type { Ari, AriEvent, StasisEndEvent, StasisStartEvent } from '#telephony/ari/index'
import { placeCall, startTestAsterisk } from '#tests/helpers/asterisk'
import type { TestAsterisk } from '#tests/helpers/asterisk'

/*
| Against a real Asterisk 22 (the sandbox's "test" instance) with real SIP calls from SIPp: the
| contract between our dial plan, our ARI client and Asterisk. Needs root; see asterisk/README.md.
*/

const CALLER = '15551230000'

function connectAri(asterisk: TestAsterisk, reconnectMaxDelayMs = 10_000): Ari {
  return createAri({
    url: asterisk.ariUrl,
    username: asterisk.username,
    password: asterisk.password,
    app: asterisk.app,
    events: { reconnectMaxDelayMs },
  })
}

/** Asterisk registers the app just after the WebSocket opens; a call before that is declined. */
async function waitForApplication(ari: Ari, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await ari.client.getApplication(ari.config.app)
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/** Resolves with the first value `subscribe` delivers; may be awaited later without going unhandled. */
function nextEvent<T>(subscribe: (resolve: (value: T) => void) => () => void, timeoutMs: number) {
  const promise = new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`no event within ${timeoutMs} ms`))
    }, timeoutMs)
    const unsubscribe = subscribe((value) => {
      clearTimeout(timer)
      unsubscribe()
      resolve(value)
    })
  })
  promise.catch(() => {})
  return promise
}

test.group('Asterisk | Stasis calls', (group) => {
  let asterisk: TestAsterisk

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    return () => asterisk.stop()
  })

  // First in the group: no test has connected the app yet, as when no telephony worker runs.
  test('with no telephony worker connected, the dial plan answers, apologises and hangs up', async ({
    assert,
  }) => {
    const placedAt = Date.now()
    // The caller would stay 30 s; the dial plan's apology (about 4 s) must end the call before.
    const sipp = await placeCall({
      sipPort: asterisk.sipPort,
      did: '1000',
      caller: CALLER,
      holdMs: 30_000,
    })
    const elapsed = Date.now() - placedAt

    assert.equal(sipp.exitCode, 0, `SIPp failed:\n${sipp.errors}\n${sipp.output}`)
    assert.equal(sipp.successfulCalls, 1)
    // Answered by the dial plan itself, without waiting for any app.
    assert.isBelow(sipp.setupTimesMs[0], 1_000)
    // Hung up by Asterisk after "all circuits are busy now, please try your call later", not
    // at once (nothing heard) and not by the caller after 30 s of silence.
    assert.isAbove(elapsed, 3_000)
    assert.isBelow(elapsed, 15_000)
  }).timeout(60_000)

  test('an inbound trunk call reaches our app with its DID and caller, and ends when we hang up', async ({
    assert,
  }) => {
    const ari = connectAri(asterisk)
    const seen: AriEvent[] = []
    let stasisStart: StasisStartEvent | undefined

    // Answering and playing happen in the StasisStart handler; the hang-up waits for the
    // playback's own event, which the per-channel queue delivers only after this handler is done.
    ari.events.onEvent('StasisStart', async (event) => {
      stasisStart = event
      await ari.client.answer(event.channel.id)
      await ari.client.play(event.channel.id, 'sound:hello-world')
    })
    ari.events.onEvent('PlaybackFinished', async (event) => {
      await ari.client.hangup(event.playback.target_uri.replace(/^channel:/, ''), 'normal')
    })
    ari.events.onAnyEvent((event) => {
      seen.push(event)
    })
    const stasisEnd = nextEvent<StasisEndEvent>(
      (resolve) => ari.events.onEvent('StasisEnd', (event) => resolve(event)),
      30_000
    )

    ari.events.start()
    try {
      await ari.events.waitForConnected()
      await waitForApplication(ari)

      const placedAt = Date.now()
      // The caller would stay 20 s; our hang-up after the prompt must end the call well before.
      const sipp = await placeCall({
        sipPort: asterisk.sipPort,
        did: '1000',
        caller: CALLER,
        holdMs: 20_000,
      })
      const ended = await stasisEnd
      await ari.events.idle()

      assert.equal(sipp.exitCode, 0, `SIPp failed:\n${sipp.errors}\n${sipp.output}`)
      assert.equal(sipp.successfulCalls, 1)
      // Measured 4-8 ms here; seconds would mean Asterisk waits on DNS for its host name again.
      assert.isBelow(sipp.setupTimesMs[0], 1_000)
      assert.isBelow(Date.now() - placedAt, 15_000)

      assert.exists(stasisStart)
      const channel = stasisStart!.channel
      assert.deepEqual(stasisStart!.args, ['inbound', '1000'])
      assert.equal(channel.caller.number, CALLER)
      assert.equal(channel.dialplan.exten, '1000')
      assert.equal(ended.channel.id, channel.id)

      const ofChannel = seen
        .filter((event) => orderingKey(event) === `channel:${channel.id}`)
        .map((event) => event.type)
      assert.includeMembers(ofChannel, ['StasisStart', 'PlaybackFinished', 'StasisEnd'])
      assert.equal(ofChannel[0], 'StasisStart')
      assert.isBelow(ofChannel.indexOf('PlaybackFinished'), ofChannel.indexOf('StasisEnd'))
    } finally {
      await ari.events.stop()
    }
  }).timeout(60_000)

  test('the event stream reports disconnected while Asterisk is down and reconnects by itself', async ({
    assert,
  }) => {
    const ari = connectAri(asterisk, 1_000)
    let connectedEvents = 0
    ari.events.on('connected', () => {
      connectedEvents += 1
    })

    ari.events.start()
    try {
      await ari.events.waitForConnected()
      assert.equal(ari.events.state, 'connected')
      assert.equal(connectedEvents, 1)

      const lost = nextEvent<string>((resolve) => {
        const listener = () => resolve(ari.events.state)
        ari.events.on('disconnected', listener)
        return () => ari.events.off('disconnected', listener)
      }, 20_000)
      await asterisk.stop()
      assert.equal(await lost, 'disconnected')
      assert.notEqual(ari.events.state, 'connected')
      assert.exists(ari.events.lastError)

      const back = nextEvent<void>((resolve) => {
        const listener = () => resolve()
        ari.events.on('connected', listener)
        return () => ari.events.off('connected', listener)
      }, 30_000)
      asterisk = await startTestAsterisk()
      await back
      assert.equal(ari.events.state, 'connected')
      assert.equal(connectedEvents, 2)
      await waitForApplication(ari)
    } finally {
      await ari.events.stop()
    }
  }).timeout(90_000)
})
