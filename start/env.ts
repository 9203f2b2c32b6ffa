/*
| Environment variables are validated once, at boot: a missing or malformed value stops the
| process with a clear message instead of failing later inside a request.
*/
import { Env } from '@adonisjs/core/env'

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  APP_KEY: Env.schema.secret(),
  APP_URL: Env.schema.string({ format: 'url', tld: false }),
  HOST: Env.schema.string({ format: 'host' }),
  LOG_LEVEL: Env.schema.string(),
  APP_NAME: Env.schema.string.optional(),

  SESSION_DRIVER: Env.schema.enum(['database', 'cookie', 'memory'] as const),
  LIMITER_STORE: Env.schema.enum(['database', 'memory'] as const),

  DB_CONNECTION: Env.schema.enum.optional(['sqlite', 'pg'] as const),
  SQLITE_PATH: Env.schema.string.optional(),
  PG_HOST: Env.schema.string.optional({ format: 'host' }),
  PG_PORT: Env.schema.number.optional(),
  PG_USER: Env.schema.string.optional(),
  PG_PASSWORD: Env.schema.string.optional(),
  PG_DB_NAME: Env.schema.string.optional(),

  REDIS_HOST: Env.schema.string({ format: 'host' }),
  REDIS_PORT: Env.schema.number(),
  REDIS_PASSWORD: Env.schema.secret.optional(),

  ARI_URL: Env.schema.string({ format: 'url', tld: false }),
  ARI_USERNAME: Env.schema.string(),
  ARI_PASSWORD: Env.schema.secret(),
  ARI_APP: Env.schema.string(),
  /** PJSIP endpoint of the carrier: outside numbers (transfers, callbacks) go out through it. */
  OUTBOUND_TRUNK: Env.schema.string.optional(),
  /** Host path of the Asterisk instance's recording directory (asterisk/sandbox status). */
  RECORDINGS_DIR: Env.schema.string.optional(),
  /** The recordings vault: encrypted files only (default storage/recordings). */
  RECORDINGS_STORE_DIR: Env.schema.string.optional(),
  /** 32 bytes, base64; required in production (dev/test derive one from APP_KEY). */
  RECORDINGS_KEY: Env.schema.secret.optional(),
  /** Retired recordings keys, base64, comma-separated: they still decrypt older recordings. */
  RECORDINGS_OLD_KEYS: Env.schema.secret.optional(),
})
