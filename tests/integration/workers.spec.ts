import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buffer } from 'node:stream/consumers'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import type { TestContext } from '@japa/runner/core'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import AuditLog from '#models/audit_log'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import Recording from '#models/recording'
import ServiceHeartbeat from '#models/service_heartbeat'
import UserSession from '#models/user_session'
import RecordingSealQueue from '#services/recording_seal_queue'
import { RecordingVault, recordingVault } from '#services/recording_vault'
import { makeUser } from '#tests/helpers/accounts'
import { placeCall, startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { makeCall, toneWav } from '#tests/helpers/sealed_audio'

/*
| The two background processes as they run in production: real child processes of `node ace`,
| the job worker on the test Redis with BullMQ, the telephony worker on the test Asterisk.
*/

function startWorker(command: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['ace.js', command], {
    cwd: app.makePath(),
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (c) => (output = (output + c).slice(-4000)))
  child.stderr!.on('data', (c) => (output = (output + c).slice(-4000)))
  return { child, output: () => output }
}

async function stopWorker(child: ChildProcess) {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

async function waitFor(check: () => Promise<boolean>, ms: number) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await sleep(250)
  }
  return false
}

test.group('Workers | job worker (BullMQ on Redis)', () => {
  test('the scheduled expire-sessions job ends a stale session without its browser returning', async ({
    assert,
    cleanup,
  }) => {
    const user = await makeUser('agent')
    const stale = await UserSession.create({
      sessionId: `stale-${Date.now()}`,
      userId: user.id,
      device: 'Chrome on Windows',
      lastSeenAt: DateTime.utc().minus({ hours: 2 }),
    })
    cleanup(() => user.delete())
    await ServiceHeartbeat.query().where('service', 'jobs').delete()

    const worker = startWorker('jobs:work')
    cleanup(() => stopWorker(worker.child))

    const ended = await waitFor(async () => (await stale.refresh()).endedAt !== null, 30_000)
    assert.isTrue(ended, `session not ended by the job; worker said:\n${worker.output()}`)
    assert.equal(stale.endReason, 'idle_timeout')
    const beat = await ServiceHeartbeat.find('jobs')
    assert.equal(beat?.status, 'ok')
  })
})

/**
 * A finished MixMonitor-like WAV in a scratch "Asterisk recording directory" and its unsealed
 * row, as the telephony worker leaves them when a leg ends; a scratch vault for the job worker.
 */
async function finishedRecording(cleanup: TestContext['cleanup'], bytes: 'set' | 'unset') {
  const dir = await mkdtemp(join(tmpdir(), 'ringdesk-recordings-'))
  const vaultDir = join(dir, 'vault')
  cleanup(() => rm(dir, { recursive: true, force: true }))
  const fileName = `${randomUUID()}.wav`
  const source = join(dir, fileName)
  toneWav(source, 2)
  const plain = await readFile(source)
  const call = await makeCall()
  cleanup(() => call.delete())
  const recording = await Recording.create({
    callId: call.id,
    storagePath: fileName,
    kind: 'call',
    format: 'wav',
    bytes: bytes === 'set' ? plain.length : 0,
    durationMs: bytes === 'set' ? 2000 : 0,
    encrypted: false,
    retentionUntil: DateTime.utc().plus({ days: 30 }),
  })
  return { dir, vaultDir, source, plain, call, recording }
}

/** Sealed as SealRecording seals: in the vault (decrypting to the WAV), plaintext gone, audited. */
async function assertSealed(
  assert: TestContext['assert'],
  scratch: Awaited<ReturnType<typeof finishedRecording>>,
  output: string
) {
  const recording = await Recording.findOrFail(scratch.recording.id)
  assert.isTrue(recording.encrypted, output)
  assert.match(recording.storagePath, /^[0-9a-f-]{36}\.wav\.enc$/)
  assert.isNotNull(await stat(join(scratch.vaultDir, recording.storagePath)).catch(() => null))
  assert.isNull(await stat(scratch.source).catch(() => null), 'the plaintext WAV is gone')
  // The test process derives the same development key as the worker it started.
  const vault = new RecordingVault({
    storeDir: scratch.vaultDir,
    keyring: recordingVault().config.keyring,
  })
  assert.isTrue((await buffer(vault.open(recording))).equals(scratch.plain))
  const audits = await AuditLog.query()
    .where('action', 'recording.encrypted')
    .where('target_id', String(recording.id))
  assert.lengthOf(audits, 1)
}

test.group('Workers | recordings sealed by the job worker', () => {
  test('a recording the telephony worker hands over is sealed by the job worker', async ({
    assert,
    cleanup,
  }) => {
    // No size: to the sweep a leg still being recorded, so only the handed-over job can seal it.
    const scratch = await finishedRecording(cleanup, 'unset')
    const worker = startWorker('jobs:work', {
      RECORDINGS_DIR: scratch.dir,
      RECORDINGS_STORE_DIR: scratch.vaultDir,
    })
    cleanup(() => stopWorker(worker.child))
    assert.isTrue(
      await waitFor(async () => worker.output().includes('job worker running'), 30_000),
      worker.output()
    )

    // What commands/telephony_work.ts gives the StasisApp as `sealRecording`.
    const sealQueue = new RecordingSealQueue()
    cleanup(() => sealQueue.close())
    await sealQueue.enqueue({ id: scratch.recording.id, callId: scratch.call.id })

    await waitFor(async () => (await scratch.recording.refresh()).encrypted, 30_000)
    await assertSealed(assert, scratch, worker.output())
  })

  test('a finished recording that was never handed over is sealed by the sweep at start', async ({
    assert,
    cleanup,
  }) => {
    // As if Redis or the job worker had been down when the call ended: no job, only the row.
    const scratch = await finishedRecording(cleanup, 'set')
    const worker = startWorker('jobs:work', {
      RECORDINGS_DIR: scratch.dir,
      RECORDINGS_STORE_DIR: scratch.vaultDir,
    })
    cleanup(() => stopWorker(worker.child))

    await waitFor(async () => (await scratch.recording.refresh()).encrypted, 30_000)
    await assertSealed(assert, scratch, worker.output())
  })
})

test.group('Workers | telephony worker (ARI)', (group) => {
  let asterisk: TestAsterisk

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    return () => asterisk.stop()
  })

  test('the worker connects to ARI, reports it, and runs a real SIP call through its route and IVR', async ({
    assert,
    cleanup,
  }) => {
    await ServiceHeartbeat.query().where('service', 'telephony').delete()
    // A route to a one-prompt IVR: greeting, then hang up.
    const now = DateTime.utc().toFormat(db.connection().dialect.dateTimeFormat)
    const nodes = {
      greet: { type: 'play', prompt: { kind: 'builtin', sound: 'hello-world' }, next: 'bye' },
      bye: { type: 'hangup' },
    }
    const [flow] = await db
      .table('ivr_flows')
      .insert({
        name: `Greeting ${Date.now()}`,
        entry_node: 'greet',
        nodes: JSON.stringify(nodes),
        version: 1,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
    await db.table('inbound_routes').insert({
      name: `Greeting line ${Date.now()}`,
      did_pattern: '4009999999',
      priority: 1,
      target_type: 'ivr',
      target_id: Number(typeof flow === 'object' ? flow.id : flow),
      enabled: true,
      created_at: now,
      updated_at: now,
    })
    const worker = startWorker('telephony:work', {
      ARI_URL: asterisk.ariUrl,
      ARI_USERNAME: asterisk.username,
      ARI_PASSWORD: asterisk.password,
      ARI_APP: asterisk.app,
    })
    cleanup(() => stopWorker(worker.child))

    const connected = await waitFor(async () => {
      const beat = await ServiceHeartbeat.find('telephony')
      return beat?.status === 'ok'
    }, 20_000)
    assert.isTrue(connected, `worker never reported ARI connected:\n${worker.output()}`)
    // Asterisk registers the Stasis app just after the WebSocket opens.
    const auth =
      'Basic ' + Buffer.from(`${asterisk.username}:${asterisk.password}`).toString('base64')
    const registered = await waitFor(async () => {
      const res = await fetch(`${asterisk.ariUrl}/ari/applications/${asterisk.app}`, {
        headers: { authorization: auth },
      })
      return res.ok
    }, 5_000)
    assert.isTrue(registered, 'Stasis application registered')

    const started = Date.now()
    const sipp = await placeCall({ sipPort: asterisk.sipPort, did: '4009999999', holdMs: 15_000 })
    const tookMs = Date.now() - started
    assert.equal(
      sipp.successfulCalls,
      1,
      `${sipp.output}\n${sipp.errors}\nworker:\n${worker.output()}`
    )
    // The IVR hung up after its greeting, long before the caller's own 15 s.
    assert.isBelow(tookMs, 10_000, worker.output())
    // The worker writes the end just after the hang-up it sent: give it a moment.
    const lastCall = () =>
      Call.query().where('did', '4009999999').orderBy('id', 'desc').firstOrFail()
    await waitFor(async () => (await lastCall()).state === 'ended', 5_000)
    const call = await lastCall()
    assert.equal(call.state, 'ended')
    assert.equal(call.endCause, 'system:ivr_hangup')
    const types = (await CallEvent.query().where('call_id', call.id)).map((e) => e.type)
    assert.includeMembers(types, ['route_selected', 'ivr_node', 'ended'])
  })
})
