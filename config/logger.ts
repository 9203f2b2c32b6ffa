import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, destination, targets } from '@adonisjs/core/logger'

const loggerConfig = defineConfig({
  default: 'app',
  loggers: {
    app: {
      enabled: true,
      name: env.get('APP_NAME', 'ringdesk'),
      level: env.get('LOG_LEVEL'),
      // Passwords, TOTP codes and session cookies must never reach a log file.
      redact: {
        paths: ['password', '*.password', 'code', '*.code', 'req.headers.cookie', 'totp'],
        censor: '[redacted]',
      },
      // Production: JSON lines written to stdout synchronously, for journald. A pino transport
      // would run in a worker thread of its own: about 12 MB more in every process.
      ...(app.inProduction
        ? { destination: destination({ dest: 1, sync: true }) }
        : { transport: { targets: [targets.pretty()] } }),
    },
  },
})

export default loggerConfig

declare module '@adonisjs/core/types' {
  export interface LoggersList extends InferLoggers<typeof loggerConfig> {}
}
