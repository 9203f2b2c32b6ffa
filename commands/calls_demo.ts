import { spawn } from 'node:child_process'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import env from '#start/env'
import AgentDevice from '#models/agent_device'
import Call from '#models/call'
import CallEvent from '#models/call_event'
import agentStates from '#telephony/agents/agent_state_service'
import { createAri } from '#telephony/ari/index'
import DeviceProvisioner from '#telephony/provisioning/device_provisioner'

/**
 * Places a demo call from SIPp into the running box (bin/ringdesk start) so a newcomer sees a
 * call flow without any phone: the caller dials the demo hotline, presses the digits given, and
 * (with --agent) a simulated desk phone of a demo agent answers. Prints the call's timeline.
 */
export default class CallsDemo extends BaseCommand {
  static commandName = 'calls:demo'
  static description = 'Place a demo call through the IVR and queues from SIPp'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Digits to press, comma separated (e.g. 2,1)', default: '1' })
  declare digits: string

  @flags.string({ description: 'Number to dial', default: '4008001000' })
  declare did: string

  @flags.number({ description: 'Seconds the caller stays on the line', default: 15 })
  declare hold: number

  @flags.boolean({ description: 'Let a simulated phone of a demo agent answer', default: true })
  declare agent: boolean

  @flags.number({ description: "Asterisk's SIP port", default: 5060 })
  declare sipPort: number

  async run() {
    const [first, second] = this.digits.split(',').map((d) => d.trim())
    const work = await mkdtemp(join(tmpdir(), 'ringdesk-demo-'))
    await copyFile(app.makePath('asterisk/sipp/caller_audio.alaw'), join(work, 'caller_audio.alaw'))
    const caller = `1380000${String(Date.now()).slice(-4)}`
    const started = DateTime.utc()

    let phone: ReturnType<typeof spawn> | null = null
    let devices: AgentDevice[] = []
    // What the demo borrows and gives back: an admin's own static contact survives the demo.
    const contactsBefore = new Map<number, string | null>()
    const provisioner = new DeviceProvisioner(
      createAri({
        url: env.get('ARI_URL'),
        username: env.get('ARI_USERNAME'),
        password: env.get('ARI_PASSWORD').release(),
        app: env.get('ARI_APP'),
      }).client
    )
    let code: number | null = null
    try {
      if (this.agent) {
        devices = await AgentDevice.query().orderBy('id')
        if (devices.length === 0) {
          this.logger.warning('no agent device configured: the call will wait in the queue')
        } else {
          // One simulated desk phone on this machine answers for every demo agent, reached at a
          // static contact for the length of this call; the agents are made available.
          // -aa: Asterisk may send it an OPTIONS (qualify) as its contact is pushed. SIPp's
          // built-in UAS takes any first message for a call and aborts it when it is not an
          // INVITE; with -m 1 that OPTIONS was its one call, it exited, and the offer then rang
          // nobody. Answering OPTIONS (and staying up until the demo ends) avoids both.
          phone = spawn(
            'sipp',
            [
              '-sn',
              'uas',
              '-rtp_echo',
              '-aa',
              '-i',
              '127.0.0.1',
              '-p',
              '15990',
              '-mp',
              '16980',
              '-nostdin',
            ],
            { stdio: 'ignore' }
          )
          // The phone is up before its contact is pushed, so Asterisk never finds it silent.
          await sleep(300)
          for (const device of devices) {
            contactsBefore.set(device.id, device.staticContact)
            device.staticContact = `sip:${device.endpoint}@127.0.0.1:15990`
            await device.save()
            await provisioner.push(device)
            await agentStates.set(device.userId, 'available', { reason: 'demo' })
          }
          this.logger.info(`a simulated desk phone answers for ${devices.length} demo agent(s)`)
        }
      }

      const args = [
        `127.0.0.1:${this.sipPort}`,
        '-sf',
        app.makePath('asterisk/sipp/uac_call.xml'),
        '-s',
        this.did,
        '-i',
        '127.0.0.1',
        '-p',
        '15991',
        // Media ports of their own: SIPp's default (6000) would clash with the simulated phone.
        '-mp',
        '16990',
        '-m',
        '1',
        '-set',
        'caller',
        caller,
        '-set',
        'hold',
        String(this.hold * 1000),
        '-nostdin',
      ]
      if (first) args.push('-set', 'dtmf', first)
      if (second) args.push('-set', 'dtmf2', second)
      this.logger.info(`calling ${this.did} from ${caller}, pressing ${this.digits}…`)
      code = await new Promise<number | null>((resolve) => {
        const sipp = spawn('sipp', args, { cwd: work, stdio: 'ignore' })
        sipp.on('exit', resolve)
      })
    } finally {
      phone?.kill()
      for (const device of devices) {
        if (!contactsBefore.has(device.id)) continue
        device.staticContact = contactsBefore.get(device.id) ?? null
        await device.save()
        await provisioner.push(device).catch(() => {})
      }
    }
    await rm(work, { recursive: true, force: true })
    await sleep(1500)

    const call = await Call.query()
      .where('caller_number', caller)
      .where(
        'started_at',
        '>=',
        started.minus({ seconds: 5 }).toFormat(db.connection().dialect.dateTimeFormat)
      )
      .first()
    if (!call) {
      this.logger.error(`no call was recorded (SIPp exit ${code}); is bin/ringdesk start running?`)
      this.exitCode = 1
      return
    }
    this.logger.success(`call ${call.uuid}: ${call.state}, ${call.endCause ?? ''}`)
    const events = await CallEvent.query().where('call_id', call.id).orderBy('at').orderBy('id')
    for (const event of events) {
      const at = ((event.at - call.startedAt.toMillis()) / 1000).toFixed(1).padStart(5)
      this.logger.log(
        `  +${at}s  ${event.type.padEnd(20)} ${event.data ? JSON.stringify(event.data) : ''}`
      )
    }
    this.logger.info(`see it in the web UI under Calls: /calls/${call.uuid}`)
  }
}
