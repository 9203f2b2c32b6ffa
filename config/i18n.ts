import app from '@adonisjs/core/services/app'
import { defineConfig, formatters, loaders } from '@adonisjs/i18n'

/**
 * English and Simplified Chinese from the first page. Server messages (validation, domain
 * errors) live in resources/lang/<locale>/*.json; the Vue UI's own strings are in ui.json
 * beside them, so one folder holds every translation.
 */
const i18nConfig = defineConfig({
  defaultLocale: 'en',
  supportedLocales: ['en', 'zh-CN'],
  fallbackLocales: { 'zh-CN': 'en' },
  formatter: formatters.icu(),
  loaders: [loaders.fs({ location: app.languageFilesPath() })],
})

export default i18nConfig
