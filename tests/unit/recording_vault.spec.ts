import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import {
  deriveDevelopmentKey,
  Keyring,
  keyIdOf,
  keyringFromEnv,
  RecordingIntegrityError,
  RecordingVault,
} from '#services/recording_vault'

async function readAll(stream: NodeJS.ReadableStream) {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

test.group('Recording vault: keys', () => {
  test('a key is named by the first 8 hex characters of its sha256', ({ assert }) => {
    const key = randomBytes(32)
    assert.equal(keyIdOf(key), createHash('sha256').update(key).digest('hex').slice(0, 8))
    assert.match(keyIdOf(key), /^[0-9a-f]{8}$/)
  })

  test('production refuses to start without RECORDINGS_KEY', ({ assert }) => {
    assert.throws(
      () => keyringFromEnv({ nodeEnv: 'production', appKey: 'x'.repeat(32) }),
      /RECORDINGS_KEY is not set/
    )
  })

  test('a key that is not 32 bytes of base64 is a configuration error', ({ assert }) => {
    const short = randomBytes(16).toString('base64')
    assert.throws(
      () => keyringFromEnv({ nodeEnv: 'development', recordingsKey: short, appKey: 'k' }),
      /RECORDINGS_KEY must be 32 bytes/
    )
    assert.throws(
      () =>
        keyringFromEnv({
          nodeEnv: 'production',
          recordingsKey: randomBytes(32).toString('base64'),
          oldKeys: short,
          appKey: 'k',
        }),
      /RECORDINGS_OLD_KEYS must be 32 bytes/
    )
  })

  test('development and test derive a stable key from APP_KEY with HKDF', ({ assert }) => {
    const a = deriveDevelopmentKey('app-key-one-0123456789abcdef')
    assert.lengthOf(a, 32)
    assert.deepEqual(a, deriveDevelopmentKey('app-key-one-0123456789abcdef'))
    assert.notDeepEqual(a, deriveDevelopmentKey('app-key-two-0123456789abcdef'))
    assert.notDeepEqual(a, Buffer.from('app-key-one-0123456789abcdef').subarray(0, 32))
    const ring = keyringFromEnv({ nodeEnv: 'test', appKey: 'app-key-one-0123456789abcdef' })
    assert.equal(ring.current.id, keyIdOf(a))
  })

  test('RECORDINGS_KEY wins over the derived key; old keys join the keyring', ({ assert }) => {
    const current = randomBytes(32)
    const old = [randomBytes(32), randomBytes(32)]
    const ring = keyringFromEnv({
      nodeEnv: 'production',
      recordingsKey: current.toString('base64'),
      oldKeys: old.map((k) => k.toString('base64')).join(', '),
      appKey: 'ignored',
    })
    assert.equal(ring.current.id, keyIdOf(current))
    assert.sameMembers(ring.ids, [current, ...old].map(keyIdOf))
    assert.deepEqual(ring.get(keyIdOf(old[1]))?.key, old[1])
  })
})

test.group('Recording vault: files', (group) => {
  let dir: string
  group.each.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ringdesk-vault-'))
    return () => rm(dir, { recursive: true, force: true })
  })

  test('after a key rotation the old key still decrypts older recordings', async ({ assert }) => {
    const oldKey = randomBytes(32)
    const newKey = randomBytes(32)
    const plain = randomBytes(200_000)
    await writeFile(join(dir, 'in.wav'), plain)
    const before = new RecordingVault({
      storeDir: join(dir, 'vault'),
      keyring: new Keyring(oldKey),
    })
    const sealed = await before.seal(join(dir, 'in.wav'), 7)
    assert.equal(sealed.keyId, keyIdOf(oldKey))
    assert.equal(sealed.bytes, plain.length)
    assert.equal(sealed.sha256, createHash('sha256').update(plain).digest('hex'))
    const row = { id: 7, storagePath: sealed.fileName, ...sealed }

    const rotated = new RecordingVault({
      storeDir: join(dir, 'vault'),
      keyring: new Keyring(newKey, [oldKey]),
    })
    assert.deepEqual(await readAll(rotated.open(row)), plain)
    // New recordings use the new key.
    assert.equal((await rotated.seal(join(dir, 'in.wav'), 8)).keyId, keyIdOf(newKey))

    const forgotten = new RecordingVault({
      storeDir: join(dir, 'vault'),
      keyring: new Keyring(newKey),
    })
    assert.throws(() => forgotten.open(row), RecordingIntegrityError)
  })

  test('a vault file moved under another recording does not decrypt', async ({ assert }) => {
    const vault = new RecordingVault({ storeDir: dir, keyring: new Keyring(randomBytes(32)) })
    await writeFile(join(dir, 'in.wav'), randomBytes(1000))
    const sealed = await vault.seal(join(dir, 'in.wav'), 1)
    const ciphertext = await readFile(vault.pathOf(sealed.fileName))
    assert.equal(ciphertext.length, 1000)
    const error = await readAll(
      vault.open({ id: 2, storagePath: sealed.fileName, ...sealed })
    ).catch((e) => e)
    assert.instanceOf(error, RecordingIntegrityError)
    assert.equal(error.reason, 'auth_tag')
  })

  test('only names the vault made itself are vault paths', ({ assert }) => {
    const vault = new RecordingVault({ storeDir: dir, keyring: new Keyring(randomBytes(32)) })
    assert.throws(() => vault.pathOf('../../etc/passwd'))
    assert.throws(() => vault.pathOf('call.wav'))
    assert.equal(
      vault.pathOf('0b9c7e2a-4f7e-4c1a-9d0e-2f3a4b5c6d7e.wav.enc'),
      join(dir, '0b9c7e2a-4f7e-4c1a-9d0e-2f3a4b5c6d7e.wav.enc')
    )
  })
})
