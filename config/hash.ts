import { defineConfig } from '@adonisjs/core/hash'
import { Argon } from '@adonisjs/core/hash/drivers/argon'
import BoundedHasher from '#services/bounded_hasher'

/*
| argon2id, 64 MiB, t=3: a sign-in costs a deliberate slice of one core. Hashes run at most one
| per core at a time (BoundedHasher) so a burst of sign-ins cannot starve other requests.
*/
const hashConfig = defineConfig({
  default: 'argon',
  list: {
    argon: () =>
      new BoundedHasher(
        new Argon({
          version: 0x13,
          variant: 'id',
          iterations: 3,
          memory: 65536,
          parallelism: 1,
          saltSize: 16,
          hashLength: 32,
        })
      ),
  },
})

export default hashConfig

declare module '@adonisjs/core/types' {
  export interface HashersList extends InferHashers<typeof hashConfig> {}
}
