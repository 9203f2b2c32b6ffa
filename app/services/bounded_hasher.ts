import { availableParallelism } from 'node:os'
import type { HashDriverContract } from '@adonisjs/core/types/hash'

/**
 * argon2 runs on libuv's thread pool, which Node shares with file-system work (static files,
 * module loading). Twenty sign-ins at once would queue twenty hashes there and stall every
 * other request behind them; capping concurrent hashes at the core count keeps threads free.
 */
export default class BoundedHasher implements HashDriverContract {
  #running = 0
  #waiting: Array<() => void> = []

  constructor(
    private driver: HashDriverContract,
    private limit = Math.max(1, availableParallelism())
  ) {}

  async #bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit)
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    this.#running++
    try {
      return await work()
    } finally {
      this.#running--
      this.#waiting.shift()?.()
    }
  }

  isValidHash(value: string) {
    return this.driver.isValidHash(value)
  }

  make(value: string) {
    return this.#bounded(() => this.driver.make(value))
  }

  verify(hashedValue: string, plainValue: string) {
    return this.#bounded(() => this.driver.verify(hashedValue, plainValue))
  }

  needsReHash(value: string) {
    return this.driver.needsReHash(value)
  }
}
