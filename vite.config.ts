import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import adonisjs from '@adonisjs/vite/client'

export default defineConfig({
  plugins: [
    vue(),
    adonisjs({
      entryPoints: ['resources/app.ts'],
      reload: ['resources/views/**/*.edge'],
    }),
  ],
  resolve: {
    alias: { '~/': `${import.meta.dirname}/resources/` },
  },
  server: {
    watch: { ignored: ['**/storage/**', '**/tmp/**'] },
    // A second test run on the same machine needs its own HMR port (VITE_HMR_PORT).
    hmr: { port: Number(process.env.VITE_HMR_PORT ?? 24678) },
  },
})
