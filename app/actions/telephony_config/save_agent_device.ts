import { randomBytes } from 'node:crypto'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import AgentDevice, { type DeviceTransport } from '#models/agent_device'
import User from '#models/user'
import audit from '#services/audit_service'
import DomainError from '#exceptions/domain_error'
import asteriskSync from '#services/asterisk_sync'

/** 18 random bytes: 24 base64url characters (144 bits), no padding or punctuation to mistype. */
export function newSipPassword() {
  return randomBytes(18).toString('base64url')
}

function snapshot(device: AgentDevice) {
  return { userId: device.userId, endpoint: device.endpoint, transport: device.transport }
}

/**
 * Agents' phones (PJSIP endpoints). The SIP password is generated here, stored encrypted and
 * returned once, to be typed into the phone; the audit records that it was set, never its value.
 */
export default class SaveAgentDevice {
  async create(
    ctx: HttpContext,
    input: { userId: number; endpoint?: string; transport: DeviceTransport }
  ): Promise<{ device: AgentDevice; password: string }> {
    const user = await User.findOrFail(input.userId)
    if (user.isDisabled) throw new DomainError('telephony.device_user_disabled', 'userId')
    // The default endpoint name is an extension-like number (1000 + user id).
    const endpoint = input.endpoint ?? String(1000 + user.id)
    if (
      await AgentDevice.query().whereRaw('LOWER(endpoint) = ?', [endpoint.toLowerCase()]).first()
    ) {
      throw new DomainError('telephony.endpoint_taken', 'endpoint', { endpoint })
    }
    const password = newSipPassword()
    const device = await db.transaction(async (trx) => {
      const created = new AgentDevice()
      created.useTransaction(trx)
      created.fill({ userId: user.id, endpoint, transport: input.transport })
      created.setSipPassword(password)
      await created.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'agent_device.created',
        target: { type: 'agent_device', id: created.id, label: created.endpoint },
        after: { ...snapshot(created), agent: user.email, sipPasswordSet: true },
      })
      return created
    })
    await asteriskSync.device(device)
    return { device, password }
  }

  async update(ctx: HttpContext, device: AgentDevice, input: { transport: DeviceTransport }) {
    if (device.transport === input.transport) return device
    const before = snapshot(device)
    await db.transaction(async (trx) => {
      device.useTransaction(trx)
      device.transport = input.transport
      await device.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'agent_device.updated',
        target: { type: 'agent_device', id: device.id, label: device.endpoint },
        before: { transport: before.transport },
        after: { transport: device.transport },
      })
    })
    await asteriskSync.device(device)
    return device
  }

  /** A lost or compromised phone: a new password, shown once; the old one stops working. */
  async rotatePassword(ctx: HttpContext, device: AgentDevice): Promise<string> {
    const password = newSipPassword()
    await db.transaction(async (trx) => {
      device.useTransaction(trx)
      device.setSipPassword(password)
      await device.save()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'agent_device.password_rotated',
        target: { type: 'agent_device', id: device.id, label: device.endpoint },
        after: { sipPasswordRotatedAt: device.secretRotatedAt.toISO() },
      })
    })
    await asteriskSync.device(device)
    return password
  }

  async delete(ctx: HttpContext, device: AgentDevice) {
    await db.transaction(async (trx) => {
      device.useTransaction(trx)
      await device.delete()
      await audit.record({
        ...audit.fromRequest(ctx),
        trx,
        action: 'agent_device.deleted',
        target: { type: 'agent_device', id: device.id, label: device.endpoint },
        before: snapshot(device),
      })
    })
    await asteriskSync.removed(device.endpoint)
  }
}
