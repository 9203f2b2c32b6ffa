import { defineConfig, drivers } from '@adonisjs/core/hash'

/*
| argon2id with OWASP's recommended cost (19 MiB, t=2) raised to 64 MiB / t=3: a sign-in costs
| tens of milliseconds of one core, which the sign-in limiter keeps from becoming a DoS lever.
*/
const hashConfig = defineConfig({
  default: 'argon',
  list: {
    argon: drivers.argon2({
      version: 0x13,
      variant: 'id',
      iterations: 3,
      memory: 65536,
      parallelism: 1,
      saltSize: 16,
      hashLength: 32,
    }),
  },
})

export default hashConfig

declare module '@adonisjs/core/types' {
  export interface HashersList extends InferHashers<typeof hashConfig> {}
}
