import logger from '@adonisjs/core/services/logger'
import env from '#start/env'
import type AgentDevice from '#models/agent_device'
import { createAri } from '#telephony/ari/index'
import DeviceProvisioner from '#telephony/provisioning/device_provisioner'

/**
 * Applies an admin's change of an agent's phone to Asterisk at once (ARI dynamic configuration),
 * so a new or rotated SIP password works without restarting anything. Best effort: when
 * Asterisk is down the change is already in the database, and the telephony worker pushes every
 * device again when it reconnects.
 */
class AsteriskSync {
  #provisioner() {
    const ari = createAri({
      url: env.get('ARI_URL'),
      username: env.get('ARI_USERNAME'),
      password: env.get('ARI_PASSWORD').release(),
      app: env.get('ARI_APP'),
      requestTimeoutMs: 2_000,
    })
    return new DeviceProvisioner(ari.client)
  }

  async device(device: AgentDevice) {
    await this.#provisioner()
      .push(device)
      .catch((error) =>
        logger.warn(`device ${device.endpoint} not pushed to Asterisk: ${error.message}`)
      )
  }

  async removed(endpoint: string) {
    await this.#provisioner()
      .remove(endpoint)
      .catch((error) =>
        logger.warn(`device ${endpoint} not removed from Asterisk: ${error.message}`)
      )
  }
}

const asteriskSync = new AsteriskSync()
export default asteriskSync
