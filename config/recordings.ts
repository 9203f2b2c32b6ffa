import { isAbsolute } from 'node:path'
import app from '@adonisjs/core/services/app'
import env from '#start/env'
import { keyringFromEnv, type RecordingsConfig } from '#services/recording_vault'

/*
| Call recordings at rest (app/services/recording_vault.ts). The keyring is built here, at boot,
| so a production process without RECORDINGS_KEY stops at once instead of at the first call.
*/
const storeDir = env.get('RECORDINGS_STORE_DIR') ?? 'storage/recordings'

const recordingsConfig: RecordingsConfig = {
  storeDir: isAbsolute(storeDir) ? storeDir : app.makePath(storeDir),
  keyring: keyringFromEnv({
    nodeEnv: env.get('NODE_ENV'),
    recordingsKey: env.get('RECORDINGS_KEY')?.release(),
    oldKeys: env.get('RECORDINGS_OLD_KEYS')?.release(),
    appKey: env.get('APP_KEY').release(),
  }),
}

export default recordingsConfig
