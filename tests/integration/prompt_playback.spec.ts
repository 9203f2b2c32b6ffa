import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import Prompt from '#models/prompt'
import { PromptAudio } from '#services/prompt_audio'
import { createAri, type Ari } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { waitFor } from '#tests/helpers/call_fixture'

/*
| An uploaded prompt, converted by PromptAudio into the test Asterisk's recording directory, is
| what a caller hears: the IVR plays `recording:prompts/<id>` to a SIPp caller and moves on only
| when Asterisk reports the playback finished, after the prompt's length.
*/

const DID = `40080044${String(Number(process.env.TEST_SLOT ?? 0)).padStart(2, '0')}`

test.group('Calls | an uploaded prompt plays in the IVR (real Asterisk, SIPp)', (group) => {
  let asterisk: TestAsterisk
  let ari: Ari
  let app: StasisApp
  let audio: PromptAudio
  let work: string

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    work = await mkdtemp(join(tmpdir(), 'ringdesk-prompt-play-'))
    audio = new PromptAudio({
      asteriskDir: asterisk.recordingDir,
      originalsDir: join(work, 'originals'),
      maxBytes: 10 * 1024 * 1024,
      maxSeconds: 300,
    })
    ari = createAri({
      url: asterisk.ariUrl,
      username: asterisk.username,
      password: asterisk.password,
      app: asterisk.app,
    })
    app = new StasisApp(ari, {
      recordingDir: asterisk.recordingDir,
      dispatchEveryMs: 500,
      logger: {
        info: () => {},
        warning: (m) => console.log('WARN', m),
        error: (m) => console.log('ERR', m),
      },
    })
    app.start()
    ari.events.start()
    await ari.events.waitForConnected(10_000)
    return async () => {
      app.stop()
      await ari.events.stop()
      await asterisk.stop()
      await rm(work, { recursive: true, force: true })
    }
  })

  test('a caller hears the uploaded prompt to its end, then the IVR goes on', async ({
    assert,
  }) => {
    // What an admin might upload: 44.1 kHz stereo, 2 s.
    const source = join(work, 'welcome.wav')
    execFileSync('sox', ['-n', '-r', '44100', '-c', '2', source, 'synth', '2', 'sine', '523'])
    const converted = await audio.convert(source)
    const prompt = await Prompt.create({
      name: `Welcome ${Date.now()}`,
      kind: 'upload',
      sound: null,
      durationMs: converted.durationMs,
    })
    prompt.filePath = audio.relativePathOf(prompt.id)
    await prompt.save()
    await audio.install(prompt.id, converted, { path: source, extname: 'wav' })

    try {
      // Asterisk itself sees the file as a stored recording named prompts/<id>.
      const stored = await ari.client.request<{ name: string; format: string }>(
        'GET',
        `/recordings/stored/${encodeURIComponent(`prompts/${prompt.id}`)}`
      )
      assert.equal(stored.name, `prompts/${prompt.id}`)
      assert.equal(stored.format, 'wav')

      const now = DateTime.utc().toFormat(db.connection().dialect.dateTimeFormat)
      const [flow] = await db
        .table('ivr_flows')
        .insert({
          name: `Prompt playback ${Date.now()}`,
          entry_node: 'welcome',
          nodes: JSON.stringify({
            welcome: {
              type: 'play',
              prompt: { kind: 'upload', promptId: String(prompt.id) },
              next: 'bye',
            },
            bye: { type: 'hangup' },
          }),
          version: 1,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
      const flowId = Number(typeof flow === 'object' ? flow.id : flow)
      await db.table('inbound_routes').insert({
        name: `Prompt line ${Date.now()}`,
        did_pattern: DID,
        priority: 100,
        target_type: 'ivr',
        target_id: flowId,
        enabled: true,
        created_at: now,
        updated_at: now,
      })

      const started = Date.now()
      const result = await placeCall({
        sipPort: asterisk.sipPort,
        did: DID,
        caller: '13600136000',
        holdMs: 8000,
        timeoutMs: 30_000,
      })
      assert.equal(result.successfulCalls, 1, result.output)

      const call = await waitFor(
        () =>
          Call.query()
            .where('caller_number', '13600136000')
            .where(
              'created_at',
              '>=',
              DateTime.fromMillis(started - 1000)
                .toUTC()
                .toFormat(db.connection().dialect.dateTimeFormat)
            )
            .orderBy('id', 'desc')
            .first(),
        (c) => c?.state === 'ended',
        10_000
      )
      assert.exists(call)
      assert.equal(call!.ivrFlowId, flowId)
      const events = await CallEvent.query().where('call_id', call!.id).orderBy('at').orderBy('id')
      const nodes = events.filter((e) => e.type === 'ivr_node')
      assert.deepEqual(
        nodes.map((e) => e.data?.nodeId),
        ['welcome', 'bye'],
        'the IVR left the prompt for the next node'
      )
      // PlaybackFinished after the whole prompt, not an immediate failure.
      const playedMs = Number(nodes[1].at) - Number(nodes[0].at)
      assert.isAtLeast(playedMs, converted.durationMs - 300, `played for ${playedMs} ms`)
      assert.isBelow(playedMs, converted.durationMs + 2500, `played for ${playedMs} ms`)
      // The IVR hung up (the caller's 8 s hold had not run out).
      assert.isBelow(call!.endedAt!.diff(call!.startedAt).as('milliseconds'), 7000)
    } finally {
      await audio.remove(prompt.id)
    }
  })
})
