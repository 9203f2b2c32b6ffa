import { createI18n } from 'vue-i18n'
import en from '../lang/en/ui.json'
import zhCN from '../lang/zh-CN/ui.json'
import type { Locale } from '../types'

export const LOCALES: Locale[] = ['en', 'zh-CN']

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { 'en': en, 'zh-CN': zhCN },
  missingWarn: false,
  fallbackWarn: false,
})

export function normalizeLocale(value: unknown): Locale {
  return value === 'zh-CN' ? 'zh-CN' : 'en'
}

/** Follows the server: the `locale` shared prop decides, on every page visit. */
export function applyLocale(value: unknown) {
  const locale = normalizeLocale(value)
  if (i18n.global.locale.value !== locale) i18n.global.locale.value = locale
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}
