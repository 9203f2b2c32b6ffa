import { BaseTransformer } from '@adonisjs/core/transformers'
import type AgentDevice from '#models/agent_device'

/** Never the SIP password: it is shown once, by the create and rotate responses only. */
export default class AgentDeviceTransformer extends BaseTransformer<AgentDevice> {
  toObject() {
    const d = this.resource
    return {
      id: d.id,
      userId: d.userId,
      endpoint: d.endpoint,
      transport: d.transport,
      secretRotatedAt: d.secretRotatedAt.toISO(),
      lastRegisteredAt: d.lastRegisteredAt?.toISO() ?? null,
      lastContact: d.lastContact,
      lastUserAgent: d.lastUserAgent,
      lastIp: d.lastIp,
      createdAt: d.createdAt.toISO(),
    }
  }
}
