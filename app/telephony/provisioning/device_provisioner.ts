import AgentDevice from '#models/agent_device'
import type { AriClient } from '#telephony/ari/index'

type Fields = Record<string, string>

function body(fields: Fields) {
  return { fields: Object.entries(fields).map(([attribute, value]) => ({ attribute, value })) }
}

/**
 * Pushes agents' PJSIP objects (auth, aor, endpoint) into Asterisk over ARI's dynamic
 * configuration (sorcery "memory" wizard, see asterisk/templates/sorcery.conf). The database is
 * the truth: the worker pushes every device after each (re)connect, since Asterisk forgets them
 * when it restarts, and after each change an admin makes.
 */
export default class DeviceProvisioner {
  constructor(private client: AriClient) {}

  async push(device: AgentDevice) {
    const name = device.endpoint
    const webrtc = device.transport === 'webrtc'
    await this.#put('auth', name, {
      auth_type: 'userpass',
      username: name,
      password: device.sipPassword(),
    })
    const aor: Fields = { max_contacts: '1', remove_existing: 'yes', qualify_frequency: '30' }
    if (device.staticContact) {
      aor.contact = device.staticContact
      aor.qualify_frequency = '0'
    }
    await this.#put('aor', name, aor)
    await this.#put('endpoint', name, {
      transport: webrtc ? 'transport-ws' : 'transport-udp',
      aors: name,
      auth: name,
      context: 'from-agent',
      disallow: 'all',
      allow: webrtc ? 'opus,ulaw,alaw' : 'alaw,ulaw',
      direct_media: 'no',
      rtp_symmetric: 'yes',
      force_rport: 'yes',
      rewrite_contact: 'yes',
      dtmf_mode: 'rfc4733',
      ...(webrtc ? { webrtc: 'yes' } : {}),
    })
  }

  async remove(endpoint: string) {
    for (const kind of ['endpoint', 'aor', 'auth']) {
      await this.client
        .request(
          'DELETE',
          `/asterisk/config/dynamic/res_pjsip/${kind}/${encodeURIComponent(endpoint)}`
        )
        .catch(() => {})
    }
  }

  async pushAll(): Promise<number> {
    const devices = await AgentDevice.all()
    for (const device of devices) await this.push(device)
    return devices.length
  }

  async #put(kind: string, name: string, fields: Fields) {
    await this.client.request(
      'PUT',
      `/asterisk/config/dynamic/res_pjsip/${kind}/${encodeURIComponent(name)}`,
      {
        body: body(fields),
      }
    )
  }
}
