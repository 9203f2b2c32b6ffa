import { isAbsolute } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'

/*
| Where the telephony worker meets Asterisk on this box. RECORDINGS_DIR is the Asterisk
| instance's recording directory (MixMonitor files, voicemail, uploaded prompts under prompts/);
| without it, the development sandbox's default instance. OUTBOUND_TRUNK is the carrier's PJSIP
| endpoint for outside numbers (transfers, callbacks); without it those are refused.
*/
const recordingsDir =
  env.get('RECORDINGS_DIR') ??
  '/var/cache/ringdesk/asterisk-root/var/spool/asterisk-default/recording'

const telephonyConfig = {
  recordingsDir: isAbsolute(recordingsDir) ? recordingsDir : app.makePath(recordingsDir),
  outboundTrunk: env.get('OUTBOUND_TRUNK') ?? null,
}

export default telephonyConfig
