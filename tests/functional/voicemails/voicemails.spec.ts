import { createHash, randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
import Queue from '#models/queue'
import Voicemail from '#models/voicemail'
import type User from '#models/user'
import type { HttpAgent } from '#tests/helpers/http_agent'
import { makeTeam, makeUser, setMfaRequired } from '#tests/helpers/accounts'
import { cleanupSealedAudio, makeCall, sealedRecording } from '#tests/helpers/sealed_audio'
import { auditEntries, signedIn } from '../telephony_config/support.js'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

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
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  }
}

async function makeQueue(name = 'Support') {
  return Queue.create({
    name: `${name} ${randomUUID()}`,
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
}

/**
 * A voicemail as the telephony worker leaves it: a call, a kind='voicemail' recording sealed in
 * the vault (unless `audio: false`) and the voicemails row.
 */
async function makeVoicemail(
  options: {
    agent?: User | null
    queueId?: number | null
    caller?: string
    seconds?: number
    receivedAt?: DateTime
    listenedBy?: User
    audio?: boolean
  } = {}
) {
  const call = await makeCall({ queueId: options.queueId ?? null, caller: options.caller })
  const sealed =
    options.audio === false
      ? null
      : await sealedRecording(call, { kind: 'voicemail', seconds: options.seconds ?? 1 })
  const voicemail = await Voicemail.create({
    callId: call.id,
    queueId: options.queueId ?? null,
    agentId: options.agent?.id ?? null,
    recordingId: sealed?.recording.id ?? null,
    recordingPath: sealed?.recording.storagePath ?? `${randomUUID()}.wav`,
    durationMs: (options.seconds ?? 1) * 1000,
    listenedBy: options.listenedBy?.id ?? null,
    listenedAt: options.listenedBy ? DateTime.utc() : null,
    ...(options.receivedAt ? { createdAt: options.receivedAt } : {}),
  })
  return { voicemail, call, plain: sealed?.plain ?? null }
}

const ids = (json: any) => json.voicemails.map((v: any) => v.id)

test.group('Voicemail', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )
  group.each.teardown(() => cleanupSealedAudio())

  test("an agent hears only voicemails left for them: another agent's is refused (403, translated) and the attempt audited", async ({
    assert,
  }) => {
    const { user: me, agent } = await signedIn('agent')
    const { agent: chinese } = await signedIn('agent', { locale: 'zh-CN' })
    const other = await makeUser('agent')
    const queue = await makeQueue()
    const mine = await makeVoicemail({ agent: me })
    const theirs = await makeVoicemail({ agent: other })
    await makeVoicemail({ queueId: queue.id })

    const list = await agent.get('/voicemails', 'application/json')
    assert.equal(list.status, 200)
    assert.equal(list.json.scope, 'own')
    assert.deepEqual(ids(list.json), [mine.voicemail.id])
    assert.isFalse(list.json.canViewCalls)

    const refused = await fetchBytes(
      agent,
      `/voicemails/${theirs.voicemail.id}/audio`,
      'application/json'
    )
    assert.equal(refused.status, 403)
    assert.equal(
      JSON.parse(refused.body.toString()).errors[0].message,
      'You do not have permission to do this'
    )
    const refusedZh = await fetchBytes(
      chinese,
      `/voicemails/${theirs.voicemail.id}/audio`,
      'application/json'
    )
    assert.equal(refusedZh.status, 403)
    assert.equal(JSON.parse(refusedZh.body.toString()).errors[0].message, '您没有权限执行此操作')
    // What an <audio> element gets: a 403 page, never audio.
    const asAudio = await fetchBytes(agent, `/voicemails/${theirs.voicemail.id}/audio`)
    assert.equal(asAudio.status, 403)
    assert.notEqual(asAudio.headers.get('content-type'), 'audio/wav')

    const denied = await auditEntries('voicemail.access_denied', theirs.voicemail.id)
    assert.lengthOf(denied, 3)
    assert.equal(denied[0].actorId, me.id)
    await theirs.voicemail.refresh()
    assert.isNull(theirs.voicemail.listenedAt, 'a refused play marks nothing')

    const own = await fetchBytes(agent, `/voicemails/${mine.voicemail.id}/audio`)
    assert.equal(own.status, 200)
    assert.equal(sha256(own.body), sha256(mine.plain!))
  })

  test('playing streams it decrypted from the vault, is audited, and marks it listened on the first play only', async ({
    assert,
  }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const { user: admin, agent: adminAgent } = await signedIn('admin')
    const agentUser = await makeUser('agent')
    const { voicemail, call, plain } = await makeVoicemail({ agent: agentUser, seconds: 2 })

    const played = await fetchBytes(agent, `/voicemails/${voicemail.id}/audio`)
    assert.equal(played.status, 200)
    assert.equal(played.headers.get('content-type'), 'audio/wav')
    assert.equal(played.headers.get('cache-control'), 'no-store, private')
    assert.match(
      played.headers.get('content-disposition')!,
      /^inline; filename="voicemail-\d+\.wav"$/
    )
    assert.equal(sha256(played.body), sha256(plain!))

    await voicemail.refresh()
    assert.equal(voicemail.listenedBy, supervisor.id)
    assert.isNotNull(voicemail.listenedAt)
    const firstAt = voicemail.listenedAt!.toISO()

    const again = await fetchBytes(adminAgent, `/voicemails/${voicemail.id}/audio?download=1`)
    assert.equal(again.status, 200)
    assert.match(again.headers.get('content-disposition')!, /^attachment; /)
    await voicemail.refresh()
    assert.equal(voicemail.listenedBy, supervisor.id, 'the first listener stays')
    assert.equal(voicemail.listenedAt!.toISO(), firstAt)

    const plays = await auditEntries('voicemail.played', voicemail.id)
    assert.lengthOf(plays, 1)
    assert.equal(plays[0].actorId, supervisor.id)
    assert.equal(plays[0].targetType, 'voicemail')
    assert.deepInclude(JSON.parse(plays[0].after!), { firstListen: true, callId: call.uuid })
    const downloads = await auditEntries('voicemail.downloaded', voicemail.id)
    assert.equal(downloads[0].actorId, admin.id)
    assert.deepInclude(JSON.parse(downloads[0].after!), { firstListen: false })

    const list = await agent.get('/voicemails', 'application/json')
    const row = list.json.voicemails.find((v: any) => v.id === voicemail.id)
    assert.deepEqual(row.listenedBy, { id: supervisor.id, fullName: supervisor.fullName })
    assert.equal(row.callId, call.uuid)
    assert.isTrue(row.hasAudio)
    assert.isTrue(list.json.canViewCalls)

    // No audio in the vault (never sealed, or gone by retention): a clear 404 / 410.
    const silent = await makeVoicemail({ agent: agentUser, audio: false })
    const none = await fetchBytes(
      agent,
      `/voicemails/${silent.voicemail.id}/audio`,
      'application/json'
    )
    assert.equal(none.status, 404)
    assert.equal(
      JSON.parse(none.body.toString()).errors[0].message,
      'This voicemail has no audio to play'
    )
    await silent.voicemail.refresh()
    assert.isNull(silent.voicemail.listenedAt)
    assert.equal((await fetchBytes(agent, `/voicemails/999999999/audio`)).status, 404)
  })

  test("a team lead hears their team's agents' voicemails, not another team's nor a queue's", async ({
    assert,
  }) => {
    const team = await makeTeam()
    const otherTeam = await makeTeam()
    const { user: lead, agent } = await signedIn('team_lead', { teamId: team.id })
    const member = await makeUser('agent', { teamId: team.id })
    const stranger = await makeUser('agent', { teamId: otherTeam.id })
    const queue = await makeQueue()
    const forMember = await makeVoicemail({ agent: member })
    const forLead = await makeVoicemail({ agent: lead })
    const forStranger = await makeVoicemail({ agent: stranger })
    const forQueue = await makeVoicemail({ queueId: queue.id })

    const list = await agent.get('/voicemails', 'application/json')
    assert.equal(list.json.scope, 'team')
    assert.sameMembers(ids(list.json), [forMember.voicemail.id, forLead.voicemail.id])
    assert.sameMembers(
      list.json.agents.map((a: any) => a.id),
      [lead.id, member.id]
    )
    assert.equal(
      (await fetchBytes(agent, `/voicemails/${forMember.voicemail.id}/audio`)).status,
      200
    )
    assert.equal(
      (await fetchBytes(agent, `/voicemails/${forStranger.voicemail.id}/audio`)).status,
      403
    )
    assert.equal(
      (await fetchBytes(agent, `/voicemails/${forQueue.voicemail.id}/audio`)).status,
      403
    )
    // Asking for another team's agent by filter gives nothing either.
    const filtered = await agent.get(`/voicemails?agentId=${stranger.id}`, 'application/json')
    assert.deepEqual(ids(filtered.json), [])
  })

  test('the list is paged, sorted and filtered on the server', async ({ assert }) => {
    const { agent } = await signedIn('supervisor')
    const sales = await makeQueue('Sales')
    const support = await makeQueue('Support')
    const agentUser = await makeUser('agent')
    const base = DateTime.utc().startOf('day').minus({ days: 20 })
    const made: Voicemail[] = []
    for (let i = 0; i < 12; i++) {
      const { voicemail } = await makeVoicemail({
        queueId: i % 3 === 0 ? support.id : sales.id,
        agent: i === 5 ? agentUser : null,
        seconds: 12 - i,
        receivedAt: base.plus({ days: i, hours: 10 }),
        listenedBy: i % 2 === 0 ? agentUser : undefined,
        audio: false,
      })
      made.push(voicemail)
    }
    const inRange = `from=${base.toISODate()}&to=${base.plus({ days: 11 }).toISODate()}`

    // Newest first by default, ten a page.
    const first = await agent.get(`/voicemails?${inRange}&perPage=10`, 'application/json')
    assert.equal(first.json.meta.total, 12)
    assert.equal(first.json.meta.lastPage, 2)
    assert.deepEqual(
      ids(first.json),
      made
        .slice(2)
        .reverse()
        .map((v) => v.id)
    )
    const second = await agent.get(`/voicemails?${inRange}&perPage=10&page=2`, 'application/json')
    assert.deepEqual(ids(second.json), [made[1].id, made[0].id])

    const bySupport = await agent.get(
      `/voicemails?${inRange}&queueId=${support.id}`,
      'application/json'
    )
    assert.deepEqual(ids(bySupport.json), [made[9].id, made[6].id, made[3].id, made[0].id])

    const unlistened = await agent.get(
      `/voicemails?${inRange}&listened=no&sort=duration_ms&order=asc`,
      'application/json'
    )
    assert.deepEqual(
      ids(unlistened.json),
      [11, 9, 7, 5, 3, 1].map((i) => made[i].id)
    )
    const byAgent = await agent.get(
      `/voicemails?${inRange}&agentId=${agentUser.id}`,
      'application/json'
    )
    assert.deepEqual(ids(byAgent.json), [made[5].id])

    const days = await agent.get(
      `/voicemails?from=${base.plus({ days: 3 }).toISODate()}&to=${base.plus({ days: 4 }).toISODate()}`,
      'application/json'
    )
    assert.deepEqual(ids(days.json), [made[4].id, made[3].id])

    const wrong = await agent.get('/voicemails?listened=maybe&sort=caller', 'application/json')
    assert.equal(wrong.status, 422)
  })
})
