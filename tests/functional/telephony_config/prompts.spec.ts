import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Prompt from '#models/prompt'
import { PromptAudio } from '#services/prompt_audio'
import type { HttpAgent } from '#tests/helpers/http_agent'
import { setMfaRequired } from '#tests/helpers/accounts'
import { auditEntries, fieldErrors, signedIn } from './support.js'

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** What ffprobe says about a converted file. */
function probe(path: string) {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,sample_rate,channels,bits_per_sample:format=format_name,duration',
      '-of',
      'json',
      path,
    ],
    { encoding: 'utf8' }
  )
  const info = JSON.parse(out)
  return { ...info.streams[0], ...info.format }
}

/** A multipart form post as a browser sends it: the session cookie and `_csrf` in the body. */
async function upload(
  agent: HttpAgent,
  path: string,
  fields: Record<string, string>,
  file?: { path: string; name: string }
) {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  if (agent.csrfToken) form.append('_csrf', agent.csrfToken)
  if (file) form.append('file', new Blob([await readFile(file.path)]), file.name)
  const response = await fetch(agent.base + path, {
    method: 'POST',
    body: form,
    headers: {
      'accept': 'application/json',
      'user-agent': agent.userAgent,
      'x-forwarded-for': agent.ip,
      'cookie': [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    redirect: 'manual',
  })
  const text = await response.text()
  let json: any = null
  try {
    json = JSON.parse(text)
  } catch {}
  return { status: response.status, json, text }
}

async function fetchBytes(agent: HttpAgent, path: string) {
  const response = await fetch(agent.base + path, {
    headers: {
      'accept': 'audio/*',
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

test.group('Calls configuration | prompts', (group) => {
  /** Asterisk's recording directory and the originals' directory, per test. */
  let asteriskDir: string
  let originalsDir: string
  let work: string
  let audio: PromptAudio

  group.each.setup(() => testUtils.db().withGlobalTransaction())
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )
  group.each.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'ringdesk-prompts-'))
    asteriskDir = join(work, 'asterisk-recording')
    originalsDir = join(work, 'originals')
    audio = new PromptAudio({
      asteriskDir,
      originalsDir,
      maxBytes: 10 * 1024 * 1024,
      maxSeconds: 5,
    })
    app.container.swap(PromptAudio, () => audio)
    return async () => {
      app.container.restore(PromptAudio)
      await rm(work, { recursive: true, force: true })
    }
  })

  /** A 44.1 kHz stereo tone made by sox: nothing like what Asterisk plays. */
  function tone(name: string, seconds: number) {
    const path = join(work, name)
    execFileSync('sox', [
      '-n',
      '-r',
      '44100',
      '-c',
      '2',
      path,
      'synth',
      String(seconds),
      'sine',
      '440',
    ])
    return path
  }

  const listing = async (dir: string) => (await readdir(dir).catch(() => [])).sort()

  test('an admin uploads a recording: it is converted to 8 kHz mono 16-bit WAV where Asterisk plays it, measured and audited', async ({
    assert,
  }) => {
    const { user, agent } = await signedIn('admin')
    const source = tone('welcome.wav', 2.5)

    const res = await upload(
      agent,
      '/telephony/prompts',
      { name: 'Welcome 欢迎', kind: 'upload' },
      { path: source, name: 'welcome.wav' }
    )
    assert.equal(res.status, 201, res.text)
    const id = res.json.prompt.id
    assert.equal(res.json.prompt.kind, 'upload')
    assert.isTrue(res.json.prompt.hasAudio)
    assert.notProperty(res.json.prompt, 'filePath')

    const live = join(asteriskDir, 'prompts', `${id}.wav`)
    assert.deepEqual(
      await listing(join(asteriskDir, 'prompts')),
      [`${id}.wav`],
      'no temporary file left'
    )
    const info = probe(live)
    assert.equal(info.format_name, 'wav')
    assert.equal(info.codec_name, 'pcm_s16le')
    assert.equal(Number(info.sample_rate), 8000)
    assert.equal(info.channels, 1)
    assert.equal(info.bits_per_sample, 16)
    assert.closeTo(Number(info.duration), 2.5, 0.05)

    const prompt = await Prompt.findOrFail(id)
    assert.equal(prompt.kind, 'upload')
    assert.equal(prompt.filePath, `prompts/${id}.wav`)
    assert.closeTo(prompt.durationMs!, 2500, 50)
    // The upload itself is kept apart, under the prompt's id, never under the browser's name.
    assert.deepEqual(await listing(originalsDir), [`${id}.wav`])
    assert.equal(
      sha256(await readFile(join(originalsDir, `${id}.wav`))),
      sha256(await readFile(source))
    )

    const [entry] = await auditEntries('prompt.created', id)
    assert.equal(entry.actorId, user.id)
    const after = JSON.parse(entry.after!)
    assert.equal(after.kind, 'upload')
    assert.equal(after.durationMs, prompt.durationMs)
    assert.equal(after.sha256, sha256(await readFile(live)))
    assert.equal(after.originalName, 'welcome.wav')

    // The preview streams exactly what Asterisk plays.
    const played = await fetchBytes(agent, `/telephony/prompts/${id}/audio`)
    assert.equal(played.status, 200)
    assert.equal(played.headers.get('content-type'), 'audio/wav')
    assert.equal(sha256(played.body), sha256(await readFile(live)))
    const { agent: supervisor } = await signedIn('supervisor')
    assert.equal((await fetchBytes(supervisor, `/telephony/prompts/${id}/audio`)).status, 200)
    const { agent: agentUser } = await signedIn('agent')
    assert.equal((await fetchBytes(agentUser, `/telephony/prompts/${id}/audio`)).status, 403)

    const page = await agent.get('/telephony/prompts', 'application/json')
    const listed = page.json.prompts.find((p: any) => p.id === id)
    assert.equal(listed.name, 'Welcome 欢迎')
    assert.deepEqual(page.json.usedBy[id], [])
  })

  test('a text file named .wav, a too long recording, an image or a too large file is refused with a translated 422 and nothing changes', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const { agent: chinese } = await signedIn('admin', { locale: 'zh-CN' })
    const fake = join(work, 'notes.wav')
    // Over 4 KB: big enough that the upload's type is taken from its name, as for any unknown file.
    await writeFile(fake, 'This is a meeting note, not a recording.\n'.repeat(200))
    const promptsBefore = await Prompt.query().count('* as n').first()

    const en = await upload(
      agent,
      '/telephony/prompts',
      { name: 'Notes', kind: 'upload' },
      { path: fake, name: 'notes.wav' }
    )
    assert.equal(en.status, 422)
    assert.deepEqual(fieldErrors(en.json), {
      file: [
        'This file holds no audio we can read. Upload a recording in one of the accepted formats.',
      ],
    })
    assert.equal(en.json.errors[0].rule, 'prompt.not_audio')

    const zh = await upload(
      chinese,
      '/telephony/prompts',
      { name: 'Notes', kind: 'upload' },
      { path: fake, name: 'notes.wav' }
    )
    assert.equal(zh.status, 422)
    assert.deepEqual(fieldErrors(zh.json), {
      file: ['无法从此文件中读取音频，请上传支持格式的录音。'],
    })

    // Too long (this test's limit is 5 s): refused the same way.
    const long = await upload(
      agent,
      '/telephony/prompts',
      { name: 'Long', kind: 'upload' },
      { path: tone('long.wav', 7), name: 'long.wav' }
    )
    assert.equal(long.status, 422)
    assert.deepEqual(fieldErrors(long.json), {
      file: ['The recording is longer than 5 seconds. Shorten it and upload it again.'],
    })

    // Not an audio extension at all: VineJS says so, translated.
    const png = join(work, 'logo.png')
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=8x8',
      '-frames:v',
      '1',
      png,
    ])
    const image = await upload(
      chinese,
      '/telephony/prompts',
      { name: 'Logo', kind: 'upload' },
      { path: png, name: 'logo.wav' }
    )
    assert.equal(image.status, 422)
    assert.match(fieldErrors(image.json).file[0], /^音频文件必须是音频/)

    // Over the size limit: refused before any decoding.
    const huge = join(work, 'huge.wav')
    await writeFile(huge, Buffer.alloc(11 * 1024 * 1024, 1))
    const big = await upload(
      agent,
      '/telephony/prompts',
      { name: 'Huge', kind: 'upload' },
      { path: huge, name: 'huge.wav' }
    )
    assert.equal(big.status, 422)
    assert.deepEqual(fieldErrors(big.json), { file: ['Audio file must be at most 10mb'] })

    const promptsAfter = await Prompt.query().count('* as n').first()
    assert.equal(Number(promptsAfter!.$extras.n), Number(promptsBefore!.$extras.n))
    assert.deepEqual(await listing(join(asteriskDir, 'prompts')), [])
    assert.deepEqual(await listing(originalsDir), [])
    assert.lengthOf(await auditEntries('prompt.created'), 0)
  })

  test('only admins change prompts: an agent, a team lead and a supervisor get 403 and nothing is kept', async ({
    assert,
  }) => {
    const source = tone('hello.wav', 1)
    for (const role of ['agent', 'team_lead', 'supervisor'] as const) {
      const { agent } = await signedIn(role)
      const res = await upload(
        agent,
        '/telephony/prompts',
        { name: `By ${role}`, kind: 'upload' },
        { path: source, name: 'hello.wav' }
      )
      assert.equal(res.status, 403, role)
      assert.equal(res.json.errors[0].message, 'You do not have permission to do this')
    }
    assert.isNull(await Prompt.findBy('name', 'By agent'))
    assert.deepEqual(await listing(join(asteriskDir, 'prompts')), [])
    assert.lengthOf(await auditEntries('prompt.created'), 0)
  })

  test('paths come from the prompt id alone: a crafted file name or URL reaches no other file', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const res = await upload(
      agent,
      '/telephony/prompts',
      { name: 'Crafted', kind: 'upload' },
      { path: tone('x.wav', 1), name: '../../../etc/cron.d/evil.wav' }
    )
    assert.equal(res.status, 201, res.text)
    const id = res.json.prompt.id
    assert.deepEqual(await listing(join(asteriskDir, 'prompts')), [`${id}.wav`])
    assert.deepEqual(await listing(originalsDir), [`${id}.wav`])
    assert.deepEqual(await listing(work), ['asterisk-recording', 'originals', 'x.wav'])

    for (const path of [
      `/telephony/prompts/..%2F..%2F..%2Fetc%2Fpasswd/audio`,
      `/telephony/prompts/${id}.wav/audio`,
      `/telephony/prompts/${id}%2F..%2F..%2Fx/audio`,
      `/telephony/prompts/-1/audio`,
    ]) {
      assert.equal((await fetchBytes(agent, path)).status, 404, path)
    }
    const builtin = await Prompt.create({ name: 'Goodbye', kind: 'builtin', sound: 'vm-goodbye' })
    assert.equal((await fetchBytes(agent, `/telephony/prompts/${builtin.id}/audio`)).status, 404)

    // A builtin sound name cannot climb out of the sounds directory either.
    const sneaky = await agent.request('POST', '/telephony/prompts', {
      json: { name: 'Sneaky', kind: 'builtin', sound: '../../../etc/passwd' },
      accept: 'application/json',
    })
    assert.equal(sneaky.status, 422)
    assert.property(fieldErrors(sneaky.json), 'sound')
  })

  test('new audio replaces the live file at once; a prompt an IVR plays cannot be deleted, an unused one leaves no file', async ({
    assert,
  }) => {
    const { agent } = await signedIn('admin')
    const created = await upload(
      agent,
      '/telephony/prompts',
      { name: 'Menu', kind: 'upload' },
      { path: tone('menu.wav', 1), name: 'menu.wav' }
    )
    const id = created.json.prompt.id
    const live = join(asteriskDir, 'prompts', `${id}.wav`)
    const first = sha256(await readFile(live))

    const mp3 = join(work, 'menu2.mp3')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=660:d=3', mp3])
    const replaced = await upload(
      agent,
      `/telephony/prompts/${id}/audio`,
      {},
      { path: mp3, name: 'menu2.mp3' }
    )
    assert.equal(replaced.status, 200, replaced.text)
    assert.notEqual(sha256(await readFile(live)), first)
    assert.closeTo((await Prompt.findOrFail(id)).durationMs!, 3000, 60)
    assert.deepEqual(await listing(originalsDir), [`${id}.mp3`], 'the older original is gone')
    const [entry] = await auditEntries('prompt.audio_replaced', id)
    assert.closeTo(JSON.parse(entry.before!).durationMs, 1000, 60)

    // A refused replacement keeps the live file as it was.
    const fake = join(work, 'fake.mp3')
    await writeFile(fake, 'not audio\n'.repeat(500))
    const before = sha256(await readFile(live))
    const refused = await upload(
      agent,
      `/telephony/prompts/${id}/audio`,
      {},
      { path: fake, name: 'fake.mp3' }
    )
    assert.equal(refused.status, 422)
    assert.equal(sha256(await readFile(live)), before)
    assert.deepEqual(await listing(join(asteriskDir, 'prompts')), [`${id}.wav`])

    const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
    await db.table('ivr_flows').insert({
      name: 'Front desk',
      entry_node: 'hello',
      nodes: JSON.stringify({
        hello: { type: 'play', prompt: { kind: 'upload', promptId: String(id) }, next: 'bye' },
        bye: { type: 'hangup' },
      }),
      version: 1,
      created_at: now,
      updated_at: now,
    })
    const page = await agent.get('/telephony/prompts', 'application/json')
    assert.deepEqual(page.json.usedBy[id], ['Front desk'])
    const inUse = await agent.request('DELETE', `/telephony/prompts/${id}`, {
      accept: 'application/json',
    })
    assert.equal(inUse.status, 422)
    assert.equal(inUse.json.errors[0].message, 'This prompt is still played by: Front desk')
    assert.isTrue(await audio.exists(id))

    await db.from('ivr_flows').where('name', 'Front desk').delete()
    const deleted = await agent.request('DELETE', `/telephony/prompts/${id}`, {
      accept: 'application/json',
    })
    assert.equal(deleted.status, 204)
    assert.isNull(await Prompt.find(id))
    assert.deepEqual(await listing(join(asteriskDir, 'prompts')), [])
    assert.deepEqual(await listing(originalsDir), [])
    assert.lengthOf(await auditEntries('prompt.deleted', id), 1)
  })
})
