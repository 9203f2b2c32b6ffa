import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import env from '#start/env'
import { createAri } from '#telephony/ari/index'
import StasisApp from '#telephony/stasis/stasis_app'
import healthService from '#services/health_service'

const DEFAULT_RECORDINGS_DIR =
  '/var/cache/ringdesk/asterisk-root/var/spool/asterisk-default/recording'

/**
 * The telephony worker: the one process that holds the ARI connection of our Stasis app and
 * runs calls (routes, IVR, queues, agents, recording). It reconnects forever, pushes agents'
 * phones and reconciles calls after every (re)connect, and reports its ARI state for /health.
 */
export default class TelephonyWork extends BaseCommand {
  static commandName = 'telephony:work'
  static description = 'Run the telephony worker (ARI Stasis application)'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  async run() {
    const ari = createAri({
      url: env.get('ARI_URL'),
      username: env.get('ARI_USERNAME'),
      password: env.get('ARI_PASSWORD').release(),
      app: env.get('ARI_APP'),
    })
    const stasis = new StasisApp(ari, {
      recordingDir: env.get('RECORDINGS_DIR') ?? DEFAULT_RECORDINGS_DIR,
      logger: this.logger,
    })
    stasis.start()

    const beat = async () => {
      const connected = ari.events.state === 'connected'
      await healthService
        .beat(
          'telephony',
          connected ? 'ok' : 'degraded',
          connected ? 'ARI connected' : `ARI ${ari.events.state}`
        )
        .catch((error) => this.logger.warning(`heartbeat failed: ${error.message}`))
    }
    // Report a change of connection at once, not at the next periodic beat.
    ari.events.on('connected', () => {
      this.logger.info('ARI connected')
      void beat()
    })
    ari.events.on('disconnected', () => {
      this.logger.warning('ARI disconnected; reconnecting')
      void beat()
    })
    ari.events.start()
    await beat()
    const timer = setInterval(beat, 10_000)

    this.app.terminating(async () => {
      clearInterval(timer)
      stasis.stop()
      await ari.events.stop()
    })
  }
}
