import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { test } from '@japa/runner'
import { AriClient, AriHttpError, AriTransportError } from '#telephony/ari/index'

/*
| The REST client against a local HTTP server standing in for Asterisk: what it sends, what it
| makes of the answers, and that a request leaves nothing behind (no timer, no new connection).
*/

interface Seen {
  method: string
  url: string
  authorization?: string
  body: string
}

async function fakeAsterisk(
  answer: (seen: Seen, res: http.ServerResponse) => void = (_seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ id: 'chan-1', state: 'Up' }))
  }
) {
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  const server = http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const request = {
        method: req.method!,
        url: req.url!,
        authorization: req.headers.authorization,
        body,
      }
      seen.push(request)
      answer(request, res)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  let connections = 0
  server.on('connection', () => connections++)
  return {
    url: `http://127.0.0.1:${port}/ari`,
    seen,
    sockets,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** The error a request failed with; the test fails if it succeeded. */
async function failure<E extends Error = Error>(request: Promise<unknown>): Promise<E> {
  try {
    await request
  } catch (error) {
    return error as E
  }
  throw new Error('the request was expected to fail')
}

const timers = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length

test.group('ARI client', () => {
  test('sends authenticated requests with the query and parses the JSON answer', async ({
    assert,
  }) => {
    const asterisk = await fakeAsterisk()
    const client = new AriClient({ url: asterisk.url, username: 'ringdesk', password: 's3cret' })
    try {
      const channel = await client.request('POST', '/channels/chan-1/play', {
        query: { media: ['sound:hello', 'sound:world'], lang: 'en', skipms: undefined },
      })
      assert.deepEqual(channel, { id: 'chan-1', state: 'Up' })
      assert.equal(asterisk.seen[0].method, 'POST')
      assert.equal(
        asterisk.seen[0].url,
        '/ari/channels/chan-1/play?media=sound%3Ahello%2Csound%3Aworld&lang=en'
      )
      assert.equal(
        asterisk.seen[0].authorization,
        `Basic ${Buffer.from('ringdesk:s3cret').toString('base64')}`
      )
      await client.request('PUT', '/asterisk/config/dynamic/res_pjsip/endpoint/x', {
        body: { fields: [{ attribute: 'context', value: 'agents' }] },
      })
      assert.deepEqual(JSON.parse(asterisk.seen[1].body), {
        fields: [{ attribute: 'context', value: 'agents' }],
      })
    } finally {
      client.close()
      await asterisk.close()
    }
  })

  test('a 204 resolves with nothing; a refusal carries its status and body', async ({ assert }) => {
    const asterisk = await fakeAsterisk((seen, res) => {
      if (seen.method === 'DELETE') {
        res.writeHead(204).end()
        return
      }
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: 'Channel not found' }))
    })
    const client = new AriClient({ url: asterisk.url, username: 'u', password: 'p' })
    try {
      assert.isUndefined(await client.hangup('chan-1'))
      const error = await failure<AriHttpError>(client.answer('gone'))
      assert.instanceOf(error, AriHttpError)
      assert.equal(error.status, 404)
      assert.deepEqual(error.body, { message: 'Channel not found' })
    } finally {
      client.close()
      await asterisk.close()
    }
  })

  test('requests one after the other share one connection and leave no timer behind', async ({
    assert,
  }) => {
    const asterisk = await fakeAsterisk()
    const client = new AriClient({ url: asterisk.url, username: 'u', password: 'p' })
    try {
      const before = timers()
      for (let i = 0; i < 20; i++) await client.getChannel(`chan-${i}`)
      assert.equal(asterisk.connections(), 1)
      assert.isAtMost(timers(), before)
    } finally {
      client.close()
      await asterisk.close()
    }
  })

  test('a kept-alive connection closed by Asterisk while idle is replaced, not an error', async ({
    assert,
  }) => {
    const asterisk = await fakeAsterisk()
    const client = new AriClient({ url: asterisk.url, username: 'u', password: 'p' })
    try {
      await client.getChannel('chan-1')
      // Asterisk drops the idle connection without the client having noticed yet.
      for (const socket of asterisk.sockets) socket.resetAndDestroy()
      assert.deepEqual(await client.getChannel('chan-1'), { id: 'chan-1', state: 'Up' })
      assert.equal(asterisk.seen.length, 2)
    } finally {
      client.close()
      await asterisk.close()
    }
  })

  test('no answer in time or nobody listening is a transport error', async ({ assert }) => {
    const asterisk = await fakeAsterisk(() => {})
    const client = new AriClient({ url: asterisk.url, username: 'u', password: 'p' })
    try {
      const late = await failure(client.request('GET', '/asterisk/info', { timeoutMs: 100 }))
      assert.instanceOf(late, AriTransportError)
      assert.match(late.message, /no answer within 100 ms/)
    } finally {
      client.close()
      await asterisk.close()
    }
    const unreachable = new AriClient({ url: asterisk.url, username: 'u', password: 'p' })
    const refused = await failure(unreachable.asteriskInfo())
    assert.instanceOf(refused, AriTransportError)
    assert.match(refused.message, /ECONNREFUSED/)
  })
})
