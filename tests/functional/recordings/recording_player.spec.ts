import { createHash } from 'node:crypto'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import { DateTime } from 'luxon'
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

test.group('Call recordings | the player on the call page', (group) => {
  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )
  group.each.teardown(() => cleanupSealedAudio())

  test("a transferred call lists each agent's recording, and each one plays by its own id", async ({
    assert,
  }) => {
    const { user: supervisor, agent } = await signedIn('supervisor')
    const first = await makeUser('agent')
    const call = await makeCall({ agentId: first.id })
    const one = await sealedRecording(call, { seconds: 2, hz: 440 })
    const two = await sealedRecording(call, { seconds: 3, hz: 880 })
    await sealedRecording(call, { kind: 'voicemail', seconds: 1 })

    const page = await agent.get(`/calls/${call.uuid}`, 'application/json')
    assert.equal(page.status, 200)
    assert.isTrue(page.json.canListen)
    const listed = page.json.call.recordings
    assert.deepEqual(
      listed.map((r: any) => r.id),
      [one.recording.id, two.recording.id],
      'the call recordings, not the voicemail'
    )
    assert.isString(listed[0].createdAt)

    const a = await fetchBytes(agent, `/recordings/${one.recording.id}`)
    assert.equal(a.status, 200)
    assert.equal(a.headers.get('content-type'), 'audio/wav')
    assert.match(a.headers.get('content-disposition')!, /^inline; filename="call-.+\.wav"$/)
    assert.equal(sha256(a.body), sha256(one.plain))
    const b = await fetchBytes(agent, `/recordings/${two.recording.id}?download=1`)
    assert.match(b.headers.get('content-disposition')!, /^attachment; filename="call-/)
    assert.equal(sha256(b.body), sha256(two.plain))
    // The call's own URL still gives its latest call recording.
    const latest = await fetchBytes(agent, `/calls/${call.uuid}/recording`)
    assert.equal(sha256(latest.body), sha256(two.plain))

    const plays = await auditEntries('recording.played', call.uuid)
    assert.deepEqual(
      plays.map((e) => JSON.parse(e.after!).recordingId),
      [one.recording.id, two.recording.id]
    )
    assert.equal(plays[0].actorId, supervisor.id)
    assert.lengthOf(await auditEntries('recording.downloaded', call.uuid), 1)
  })

  test('a recording by id is refused exactly where the call is: audited 403, and 404/410 otherwise', async ({
    assert,
  }) => {
    const team = await makeTeam()
    const member = await makeUser('agent', { teamId: team.id })
    const call = await makeCall({ agentId: member.id })
    const { recording } = await sealedRecording(call)
    const voicemail = await sealedRecording(call, { kind: 'voicemail' })

    const { user: agentUser, agent } = await signedIn('agent', { teamId: team.id })
    const { agent: lead } = await signedIn('team_lead', { teamId: team.id })
    assert.equal((await fetchBytes(agent, `/recordings/${recording.id}`)).status, 403)
    assert.equal((await fetchBytes(lead, `/recordings/${recording.id}?download=1`)).status, 403)
    const denied = await auditEntries('recording.access_denied', call.uuid)
    assert.lengthOf(denied, 2)
    assert.equal(denied[0].actorId, agentUser.id)
    assert.deepEqual(JSON.parse(denied[0].after!), { mode: 'play', recordingId: recording.id })
    assert.deepEqual(JSON.parse(denied[1].after!), { mode: 'download', recordingId: recording.id })

    const { agent: admin } = await signedIn('admin')
    // A voicemail's audio has its own page and rules; as a call recording it does not exist.
    assert.equal((await fetchBytes(admin, `/recordings/${voicemail.recording.id}`)).status, 404)
    assert.equal((await fetchBytes(admin, `/recordings/999999999`)).status, 404)
    assert.equal((await fetchBytes(admin, `/recordings/abc`)).status, 404)

    recording.deletedAt = DateTime.utc()
    await recording.save()
    const gone = await fetchBytes(admin, `/recordings/${recording.id}`, 'application/json')
    assert.equal(gone.status, 410)
    assert.equal(
      JSON.parse(gone.body.toString()).errors[0].message,
      'This recording was deleted when its retention period ended'
    )
    assert.lengthOf(await auditEntries('recording.played', call.uuid), 0)
  })

  test('the call page offers the player only to those who may listen', async ({ assert }) => {
    const team = await makeTeam()
    const member = await makeUser('agent', { teamId: team.id })
    const call = await makeCall({ agentId: member.id })
    await sealedRecording(call)

    const { agent: lead } = await signedIn('team_lead', { teamId: team.id })
    const leadPage = await lead.get(`/calls/${call.uuid}`)
    assert.equal(leadPage.page?.component, 'telephony/calls/show')
    assert.isFalse(leadPage.page?.props.canListen, 'a team lead sees the call, not its audio')
    assert.lengthOf(leadPage.page?.props.call.recordings, 1)

    const { agent: supervisor } = await signedIn('supervisor', { locale: 'zh-CN' })
    const page = await supervisor.get(`/calls/${call.uuid}`)
    assert.isTrue(page.page?.props.canListen)
  })
})
