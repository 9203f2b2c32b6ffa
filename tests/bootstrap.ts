import { assert } from '@japa/assert'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { apiClient } from '@japa/api-client'
import { browserClient } from '@japa/browser-client'
import { sessionApiClient } from '@adonisjs/session/plugins/api_client'
import { shieldApiClient } from '@adonisjs/shield/plugins/api_client'
import { authApiClient } from '@adonisjs/auth/plugins/api_client'
import { inertiaApiClient } from '@adonisjs/inertia/plugins/api_client'
import { chromium } from 'playwright'
import env from '#start/env'
import { TestRedis } from '#tests/helpers/redis'

export const testRedis = new TestRedis(env.get('REDIS_PORT'))

/*
| Plugins: HTTP tests go through the real server (session, CSRF, auth), browser tests drive
| Debian's Chromium through Playwright (never a downloaded browser).
*/
export const plugins: Config['plugins'] = [
  assert(),
  pluginAdonisJS(app),
  apiClient(),
  sessionApiClient(app),
  shieldApiClient(),
  authApiClient(app),
  inertiaApiClient(app),
  browserClient({
    runInSuites: ['browser'],
    launcher: async (config) =>
      chromium.launch({
        ...config,
        headless: true,
        executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      }),
  }),
]

/*
| The suite migrates a clean database once, then every test runs in a transaction that is rolled
| back (see tests/helpers/database.ts). Which database is chosen by DB_CONNECTION.
*/
export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [
    async () => {
      await testUtils.db().migrate()
      // truncate() hands back the truncating function: run it now, for a clean slate.
      const truncate = await testUtils.db().truncate()
      await truncate()
    },
    async () => {
      await testRedis.start()
      return () => testRedis.stop()
    },
  ],
  teardown: [],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (['browser', 'functional', 'e2e'].includes(suite.name)) {
    return suite.setup(() => testUtils.httpServer().start())
  }
}

export const reporters: Config['reporters'] = {
  activated: ['spec'],
}
