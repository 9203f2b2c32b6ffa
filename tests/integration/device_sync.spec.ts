import { test } from '@japa/runner'
import AgentDevice from '#models/agent_device'
import asteriskSync from '#services/asterisk_sync'
import { createAri } from '#telephony/ari/index'
import { startTestAsterisk, type TestAsterisk } from '#tests/helpers/asterisk'
import { makeUser } from '#tests/helpers/accounts'

/*
| An admin's change of a phone reaches the running Asterisk at once (the web process pushes it
| over ARI), without waiting for the telephony worker to reconnect.
*/
test.group('Telephony | phones pushed to Asterisk on change', (group) => {
  let asterisk: TestAsterisk

  group.setup(async () => {
    asterisk = await startTestAsterisk()
    return () => asterisk.stop()
  })

  test('a new phone is known to Asterisk at once, and gone once deleted', async ({ assert }) => {
    const ari = createAri({
      url: asterisk.ariUrl,
      username: asterisk.username,
      password: asterisk.password,
      app: asterisk.app,
    })
    const endpoint = async (name: string) =>
      ari.client.request('GET', `/endpoints/PJSIP/${name}`).then(
        () => true,
        () => false
      )
    const user = await makeUser('agent')
    const device = new AgentDevice()
    device.userId = user.id
    device.endpoint = `sync-${user.id}`
    device.transport = 'udp'
    device.setSipPassword('Phone-pass-0123456789ab')
    await device.save()
    assert.isFalse(await endpoint(device.endpoint))

    await asteriskSync.device(device)
    assert.isTrue(await endpoint(device.endpoint))
    const auth = (await ari.client.request(
      'GET',
      `/asterisk/config/dynamic/res_pjsip/auth/${device.endpoint}`
    )) as Array<{ attribute: string; value: string }>
    assert.equal(auth.find((f) => f.attribute === 'password')?.value, 'Phone-pass-0123456789ab')

    await asteriskSync.removed(device.endpoint)
    assert.isFalse(await endpoint(device.endpoint))
    await user.delete()
  })
})
