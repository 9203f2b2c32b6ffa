import { verifyAuditChain } from '#services/audit_verifier'
import { createHash, randomUUID } from 'node:crypto'
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import Call from '#models/call'
import Queue from '#models/queue'
import Recording from '#models/recording'
import type User from '#models/user'
import SealRecording from '#actions/recordings/seal_recording'
import RecordingRetentionJob from '#jobs/recording_retention_job'
import { recordingVault } from '#services/recording_vault'
import type { HttpAgent } from '#tests/helpers/http_agent'
import { makeTeam, makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { auditEntries, signedIn } from '../telephony_config/support.js'
import { toneWav } from '#tests/helpers/sealed_audio'

/** Vault files made by a test: its rows roll back, its files are removed here. */
const sealedFiles: string[] = []

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** A call answered by `agent` with a MixMonitor-like WAV in `dir`, as the worker leaves it. */
async function recordedCall(
  dir: string,
  options: { agent?: User; seconds?: number; retentionUntil?: DateTime } = {}
) {
  const queue = await Queue.create({
    name: `Recorded ${randomUUID()}`,
    strategy: 'longest_idle',
    requiredSkillId: null,
    requiredSkillLevel: 1,
    priority: 0,
    ringTimeoutSeconds: 20,
    wrapUpSeconds: 15,
    maxWaitSeconds: 300,
    overflowAction: 'voicemail',
    overflowTarget: null,
    announceEverySeconds: 60,
    musicOnHold: 'default',
    recordingRetentionDays: 30,
    serviceLevelSeconds: 20,
  })
  const agent = options.agent ?? (await makeUser('agent'))
  const startedAt = DateTime.utc().minus({ minutes: 10 })
  const call = await Call.create({
    uuid: randomUUID(),
    direction: 'inbound',
    did: '4008001000',
    callerNumber: '13800138000',
    callerName: null,
    customerId: null,
    startedAt,
    answeredAt: startedAt.plus({ seconds: 5 }),
    endedAt: startedAt.plus({ minutes: 2 }),
    endCause: 'normal_clearing',
    routeId: null,
    ivrFlowId: null,
    ivrFlowVersion: null,
    queueId: queue.id,
    agentId: agent.id,
    waitSeconds: 5,
    talkSeconds: 115,
    holdSeconds: 0,
    wrapUpSeconds: 15,
    transferred: false,
    abandoned: false,
    hasRecording: true,
    state: 'ended',
  })
  const fileName = `${call.uuid}.wav`
  const source = join(dir, fileName)
  toneWav(source, options.seconds ?? 3)
  const plain = await readFile(source)
  await Recording.create({
    callId: call.id,
    storagePath: fileName,
    format: 'wav',
    bytes: 0,
    durationMs: 0,
    encrypted: false,
    retentionUntil: options.retentionUntil ?? startedAt.plus({ days: 30 }),
  })
  const recording = await new SealRecording(recordingVault(), {
    quietMs: 20,
    maxWaitMs: 1000,
  }).handle(call.id, dir)
  sealedFiles.push(recording!.storagePath)
  return { call, source, plain, recording: recording! }
}

/** The raw bytes of a response (HttpAgent reads text); `error` when the body was cut. */
async function fetchBytes(agent: HttpAgent, path: string, accept = 'audio/*') {
  const response = await fetch(agent.base + path, {
    headers: {
      'accept': accept,
      'user-agent': agent.userAgent,
      'x-forwarded-for': agent.ip,
      'cookie': [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    redirect: 'manual',
  })
  const chunks: Buffer[] = []
  let error: Error | null = null
  try {
    for await (const chunk of response.body!) chunks.push(Buffer.from(chunk))
  } catch (e) {
    error = e as Error
  }
  return { status: response.status, headers: response.headers, body: Buffer.concat(chunks), error }
}

async function eventually<T>(probe: () => Promise<T[]>, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs
  let rows = await probe()
  while (rows.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    rows = await probe()
  }
  return rows
}

test.group('Call recordings', (group) => {
  let dir: string
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )
  group.each.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ringdesk-asterisk-rec-'))
    return async () => {
      await rm(dir, { recursive: true, force: true })
      for (const name of sealedFiles.splice(0)) await recordingVault().remove(name)
    }
  })

  test("a finished call's recording is encrypted at rest and its plaintext deleted", async ({
    assert,
  }) => {
    const { call, source, plain, recording } = await recordedCall(dir)
    const vault = recordingVault()
    assert.isTrue(recording.encrypted)
    assert.match(recording.storagePath, /^[0-9a-f-]{36}\.wav\.enc$/)
    assert.equal(recording.keyId, vault.config.keyring.current.id)
    assert.match(recording.iv!, /^[0-9a-f]{24}$/)
    assert.match(recording.authTag!, /^[0-9a-f]{32}$/)
    assert.equal(recording.sha256, sha256(plain))
    assert.equal(recording.bytes, plain.length)
    assert.isNull(await stat(source).catch(() => null), 'the plaintext WAV is gone')

    const path = vault.pathOf(recording.storagePath)
    assert.isFalse(path.startsWith(app.publicPath()), 'the vault is not served statically')
    const ciphertext = await readFile(path)
    assert.equal(ciphertext.length, plain.length)
    assert.equal(ciphertext.indexOf(plain.subarray(0, 12)), -1, 'no RIFF/WAVE header')
    for (const at of [44, 10_000, plain.length - 64]) {
      assert.equal(ciphertext.indexOf(plain.subarray(at, at + 32)), -1, `audio at ${at}`)
    }
    assert.lengthOf(await auditEntries('recording.encrypted', recording.id), 1)
    // Its audit entry (written in the sealing's own transaction) keeps the hash chain intact.
    assert.isTrue((await verifyAuditChain()).ok)

    // Sealing again is a no-op.
    const again = await new SealRecording().handle(call.id, dir)
    assert.equal(again!.storagePath, recording.storagePath)
    assert.lengthOf(await auditEntries('recording.encrypted', recording.id), 1)
  })

  test('a supervisor plays and downloads it byte-identical; each access is audited', async ({
    assert,
  }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const { call, plain } = await recordedCall(dir)

    const played = await fetchBytes(agent, `/calls/${call.uuid}/recording`)
    assert.equal(played.status, 200)
    assert.isNull(played.error)
    assert.equal(played.headers.get('content-type'), 'audio/wav')
    assert.match(played.headers.get('content-disposition')!, /^inline; filename="call-/)
    assert.equal(played.headers.get('accept-ranges'), 'none')
    assert.equal(sha256(played.body), sha256(plain))

    const downloaded = await fetchBytes(agent, `/calls/${call.uuid}/recording?download=1`)
    assert.equal(downloaded.status, 200)
    assert.match(downloaded.headers.get('content-disposition')!, /^attachment; filename="call-/)
    assert.equal(sha256(downloaded.body), sha256(plain))

    const plays = await auditEntries('recording.played', call.uuid)
    const downloads = await auditEntries('recording.downloaded', call.uuid)
    assert.lengthOf(plays, 1)
    assert.lengthOf(downloads, 1)
    assert.equal(plays[0].actorId, supervisor.id)
    assert.equal(plays[0].targetType, 'call')
  })

  test('an agent or a team lead is refused, and the attempt is audited', async ({ assert }) => {
    const team = await makeTeam()
    const member = await makeUser('agent', { teamId: team.id })
    const { call } = await recordedCall(dir, { agent: member })
    const { user: agentUser, agent } = await signedIn('agent', { teamId: team.id })
    const { agent: lead } = await signedIn('team_lead', { teamId: team.id })

    const refused = await fetchBytes(agent, `/calls/${call.uuid}/recording`)
    assert.equal(refused.status, 403)
    assert.notEqual(refused.headers.get('content-type'), 'audio/wav')
    assert.equal((await fetchBytes(lead, `/calls/${call.uuid}/recording?download=1`)).status, 403)

    const denied = await auditEntries('recording.access_denied', call.uuid)
    assert.lengthOf(denied, 2)
    assert.equal(denied[0].actorId, agentUser.id)
    assert.lengthOf(await auditEntries('recording.played', call.uuid), 0)
    assert.equal((await fetchBytes(agent, `/calls/${randomUUID()}/recording`)).status, 404)
  })

  test('a tampered vault file is never served as valid audio', async ({ assert }) => {
    const { agent } = await signedIn('admin')
    for (const seconds of [3, 20]) {
      const { call, plain, recording } = await recordedCall(dir, { seconds })
      const file = await open(recordingVault().pathOf(recording.storagePath), 'r+')
      const at = Math.floor(plain.length / 2)
      const byte = Buffer.alloc(1)
      await file.read(byte, 0, 1, at)
      byte[0] ^= 0x01
      await file.write(byte, 0, 1, at)
      await file.close()

      const res = await fetchBytes(agent, `/calls/${call.uuid}/recording`)
      // Small: the check fails before the first byte (500). Large: the stream is cut short.
      if (seconds === 3) assert.equal(res.status, 500)
      else assert.isNotNull(res.error, `${seconds} s: the body must end in an error`)
      assert.isBelow(res.body.length, plain.length, `${seconds} s: never the whole file`)
      assert.notEqual(sha256(res.body), sha256(plain))
      const failures = await eventually(() => auditEntries('recording.integrity_failed', call.uuid))
      assert.lengthOf(failures, 1, `${seconds} s`)
      assert.equal(JSON.parse(failures[0].after!).reason, 'auth_tag')
    }
  })

  test('retention deletes only recordings past their date, once', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    const expired = await recordedCall(dir, { retentionUntil: DateTime.utc().minus({ hours: 1 }) })
    const kept = await recordedCall(dir, { retentionUntil: DateTime.utc().plus({ days: 1 }) })
    const vault = recordingVault()

    const first = await new RecordingRetentionJob().handle()
    assert.deepInclude(first, { recordings: 1, filesRemoved: 1, filesMissing: 0 })
    assert.isFalse(await vault.exists(expired.recording.storagePath))
    assert.isTrue(await vault.exists(kept.recording.storagePath))
    await expired.recording.refresh()
    await kept.recording.refresh()
    assert.isNotNull(expired.recording.deletedAt)
    assert.isNull(kept.recording.deletedAt)

    const entries = await auditEntries('recording.deleted_by_retention')
    assert.lengthOf(entries, 1)
    const after = JSON.parse(entries[0].after!)
    assert.equal(after.recordings, 1)
    assert.deepEqual(after.recordingIds, [expired.recording.id])

    const second = await new RecordingRetentionJob().handle()
    assert.equal(second.recordings, 0)
    assert.lengthOf(await auditEntries('recording.deleted_by_retention'), 1)

    const gone = await fetchBytes(
      agent,
      `/calls/${expired.call.uuid}/recording`,
      'application/json'
    )
    assert.equal(gone.status, 410)
    assert.equal(JSON.parse(gone.body.toString()).errors[0].rule, 'recordings.deleted')
    const still = await fetchBytes(agent, `/calls/${kept.call.uuid}/recording`)
    assert.equal(sha256(still.body), sha256(kept.plain))
  })
})
