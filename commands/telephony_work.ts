import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import env from '#start/env'
import { createAri, isAriNotFound } from '#telephony/ari/index'
import healthService from '#services/health_service'

/**
 * The telephony worker: the one process that holds the ARI connection of our Stasis app.
 * Foundation behaviour: every inbound call that reaches Stasis is answered with a greeting and
 * hung up; call routing (IVR, queues) builds on this. It reconnects forever and reports its
 * ARI state as a heartbeat for /health.
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
    const greetings = new Map<string, string>()

    ari.events.onEvent('StasisStart', async (event) => {
      const channel = event.channel
      this.logger.info(
        `call ${channel.id} from ${channel.caller?.number ?? 'unknown'} args=${event.args.join(',')}`
      )
      try {
        await ari.client.answer(channel.id)
        const playback = await ari.client.play(channel.id, 'sound:hello-world')
        greetings.set(playback.id, channel.id)
      } catch (error) {
        if (!isAriNotFound(error))
          this.logger.error(`call ${channel.id}: ${(error as Error).message}`)
      }
    })
    ari.events.onEvent('PlaybackFinished', async (event) => {
      const channelId = greetings.get(event.playback.id)
      if (!channelId) return
      greetings.delete(event.playback.id)
      await ari.client.hangup(channelId).catch(() => {})
    })
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
      await ari.events.stop()
    })
  }
}
