import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import Prompt from '#models/prompt'
import Voicemail from '#models/voicemail'
import { PromptAudio } from '#services/prompt_audio'
import { makeUser, PASSWORD, setMfaRequired } from '#tests/helpers/accounts'
import { cleanupSealedAudio, makeCall, sealedRecording } from '#tests/helpers/sealed_audio'

const base = `http://${env.get('HOST')}:${env.get('PORT')}`

/*
| The audio pages in a real browser: an admin uploads a prompt through the form and gets a
| player for the converted file; the call page and the voicemail list offer players whose audio
| the server serves, and playing a voicemail shows it listened.
*/
test.group('Browser: prompts, recordings and voicemail', (group) => {
  let work: string
  group.each.setup(() =>
    setMfaRequired({ admin: false, supervisor: false, team_lead: false, agent: false })
  )
  group.each.setup(async () => {
    work = await mkdtemp(join(tmpdir(), 'ringdesk-browser-audio-'))
    const audio = new PromptAudio({
      asteriskDir: join(work, 'asterisk'),
      originalsDir: join(work, 'originals'),
      maxBytes: 10 * 1024 * 1024,
      maxSeconds: 60,
    })
    app.container.swap(PromptAudio, () => audio)
    return async () => {
      app.container.restore(PromptAudio)
      await cleanupSealedAudio()
      await rm(work, { recursive: true, force: true })
    }
  })

  test('an admin uploads a prompt and previews it; a call recording and a voicemail play from their pages', async ({
    visit,
    assert,
  }) => {
    const admin = await makeUser('admin', { locale: 'zh-CN' })
    const page = await visit(`${base}/sign-in`)
    await page.getByTestId('email').fill(admin.email)
    await page.getByTestId('password').fill(PASSWORD)
    await page.getByTestId('sign-in-submit').click()
    await page.getByTestId('welcome').waitFor()

    const source = join(work, 'welcome.wav')
    execFileSync('sox', ['-n', '-r', '22050', '-c', '2', source, 'synth', '1.5', 'sine', '440'])
    const name = `Browser welcome ${Date.now()}`
    await page.goto(`${base}/telephony/prompts`)
    await page.getByTestId('new-prompt').click()
    await page.getByTestId('prompt-name').fill(name)
    await page.getByTestId('prompt-file').setInputFiles(source)
    await page.getByTestId('prompt-submit').click()
    await page.getByTestId('prompts-table').getByText(name).waitFor()
    const prompt = await Prompt.findByOrFail('name', name)
    const player = page.getByTestId(`prompt-player-${prompt.id}`)
    await player.waitFor()
    const src = await player.getAttribute('src')
    const served = await page.evaluate(async (url) => {
      const res = await fetch(url!)
      return { status: res.status, type: res.headers.get('content-type') }
    }, src)
    assert.deepEqual(served, { status: 200, type: 'audio/wav' })

    const call = await makeCall({ agentId: admin.id })
    const { recording } = await sealedRecording(call)
    await page.goto(`${base}/calls/${call.uuid}`)
    const recordingPlayer = page.getByTestId(`recording-player-${recording.id}`)
    await recordingPlayer.waitFor()
    assert.equal(await recordingPlayer.getAttribute('preload'), 'none')
    assert.equal(
      await page.getByTestId(`recording-download-${recording.id}`).getAttribute('href'),
      `/recordings/${recording.id}?download=1`
    )

    const vmCall = await makeCall({ caller: '13511112222' })
    const sealed = await sealedRecording(vmCall, { kind: 'voicemail' })
    const voicemail = await Voicemail.create({
      callId: vmCall.id,
      queueId: null,
      agentId: admin.id,
      recordingId: sealed.recording.id,
      recordingPath: sealed.recording.storagePath,
      durationMs: 2000,
    })
    await page.goto(`${base}/voicemails`)
    await page.getByTestId(`voicemail-status-${voicemail.id}`).getByText('未听').waitFor()
    const vmPlayer = page.getByTestId(`voicemail-player-${voicemail.id}`)
    // Playing is what fetches the audio; muted, so headless Chromium allows it without a gesture.
    // (Typed structurally: the server's tsconfig has no DOM library.)
    await vmPlayer.evaluate((el) => {
      const audio = el as unknown as { muted: boolean; play(): Promise<void> }
      audio.muted = true
      return audio.play()
    })
    await page.getByTestId(`voicemail-status-${voicemail.id}`).getByText('已听').waitFor()
    await voicemail.refresh()
    assert.equal(voicemail.listenedBy, admin.id)
  })
})
