import { computed } from 'vue'
import { useI18n } from 'vue-i18n'

const cache = new Map<string, Intl.DateTimeFormat>()

function formatter(locale: string, options: Intl.DateTimeFormatOptions) {
  const key = locale + JSON.stringify(options)
  let f = cache.get(key)
  if (!f) {
    // No timeZone given: the viewer's own zone.
    f = new Intl.DateTimeFormat(locale, options)
    cache.set(key, f)
  }
  return f
}

const DATE_TIME: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
}

const DATE_TIME_SECONDS: Intl.DateTimeFormatOptions = { ...DATE_TIME, second: '2-digit' }

/** Date helpers bound to the current UI language. */
export function useFormat() {
  const { locale, t } = useI18n()
  const lang = computed(() => locale.value)

  function parse(value: string | null | undefined) {
    if (!value) return null
    const date = new Date(value)
    return Number.isNaN(date.getTime()) ? null : date
  }

  function dateTime(value: string | null | undefined, withSeconds = false) {
    const date = parse(value)
    if (!date) return t('common.never')
    return formatter(lang.value, withSeconds ? DATE_TIME_SECONDS : DATE_TIME).format(date)
  }

  function time(value: string | null | undefined) {
    const date = parse(value)
    if (!date) return '—'
    return formatter(lang.value, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date)
  }

  /** "5 minutes ago" style, for last-seen columns; the exact time goes in a tooltip. */
  function relative(value: string | null | undefined) {
    const date = parse(value)
    if (!date) return t('common.never')
    const seconds = Math.round((date.getTime() - Date.now()) / 1000)
    const rtf = new Intl.RelativeTimeFormat(lang.value, { numeric: 'auto' })
    const abs = Math.abs(seconds)
    if (abs < 60) return rtf.format(seconds, 'second')
    if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute')
    if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour')
    return rtf.format(Math.round(seconds / 86400), 'day')
  }

  return { dateTime, time, relative }
}
