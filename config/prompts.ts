import app from '@adonisjs/core/services/app'
import telephonyConfig from '#config/telephony'
import type { PromptAudioConfig } from '#services/prompt_audio'

/*
| Uploaded IVR prompts (app/services/prompt_audio.ts). The converted file goes where Asterisk
| plays `recording:prompts/<id>` from: `<RECORDINGS_DIR>/prompts/<id>.wav`, RECORDINGS_DIR being
| the Asterisk instance's recording directory (the same default as the telephony worker's). The
| uploaded original is kept apart, outside Asterisk's reach and outside public/.
*/
const originalsDir = 'storage/prompts'

const promptsConfig: PromptAudioConfig = {
  asteriskDir: telephonyConfig.recordingsDir,
  originalsDir: app.makePath(originalsDir),
  maxBytes: 10 * 1024 * 1024,
  maxSeconds: 300,
}

export default promptsConfig
