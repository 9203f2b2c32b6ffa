import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/shield'

/*
| Browser-side defences. CSP allows only our own origin (plus the Vite dev server in
| development), images from data: URLs (the TOTP QR code), inline styles (Element Plus sets
| positions inline) and WebSockets (softphone, live updates). Nothing may frame the app.
*/
const shieldConfig = defineConfig({
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`, '@nonce', '@viteUrl'],
      styleSrc: [`'self'`, `'unsafe-inline'`, '@viteUrl'],
      imgSrc: [`'self'`, 'data:', 'blob:'],
      fontSrc: [`'self'`, 'data:', '@viteUrl'],
      connectSrc: [`'self'`, 'ws:', 'wss:', '@viteUrl'],
      mediaSrc: [`'self'`, 'blob:'],
      objectSrc: [`'none'`],
      baseUri: [`'self'`],
      formAction: [`'self'`],
      frameAncestors: [`'none'`],
    },
    reportOnly: false,
  },

  csrf: {
    enabled: true,
    exceptRoutes: [],
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },

  xFrame: { enabled: true, action: 'DENY' },

  // HSTS only matters over HTTPS, which production is (behind the box's TLS terminator).
  hsts: { enabled: app.inProduction, maxAge: '180 days', includeSubDomains: true },

  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
