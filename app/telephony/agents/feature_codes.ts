import type { Ari, AriChannel } from '#telephony/ari/index'

export interface FeatureCodesOptions {
  logger?: { info(msg: string): void; warning(msg: string): void; error(msg: string): void }
}

/**
 * Feature codes dialled on an agent's phone (the `from-agent` context hands every call to the
 * app as StasisStart args ['agent-dial', exten]). Work in progress: see issue 3.
 */
export default class FeatureCodes {
  constructor(
    private ari: Ari,
    private options: FeatureCodesOptions = {}
  ) {}

  async handle(channel: AriChannel, exten: string): Promise<void> {
    this.options.logger?.info(`agent dial ${exten} from ${channel.name}: not handled yet`)
    await this.ari.client.hangup(channel.id).catch(() => {})
  }
}
