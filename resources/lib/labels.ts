import { useI18n } from 'vue-i18n'

/**
 * Translations of server codes (roles, permissions, audit actions, end reasons). An unknown code
 * falls back to the raw code, so a new server value shows up readable rather than blank.
 */
export function useLabels() {
  const { t, te } = useI18n()

  function known(key: string) {
    return te(key) || te(key, 'en')
  }

  function label(prefix: string, code: string | null | undefined) {
    if (code === null || code === undefined || code === '') return '—'
    const key = `${prefix}.${code}`
    return known(key) ? t(key) : code
  }

  return {
    known,
    role: (code: string | null | undefined) => label('roles', code),
    permission: (code: string) => label('permissions', code),
    action: (code: string) => label('audit.actions', code),
    targetType: (code: string | null | undefined) => label('audit.targetTypes', code),
    endReason: (code: string | null | undefined) => label('sessions.endReason', code),
    endedMessage: (code: string) => label('sessions.ended', code),
    flash: (code: string) => label('flash', code),
    healthCheck: (name: string) => label('health.checks', name.replace(/[^a-z0-9_]/gi, '_')),
    /** "Chrome on Linux" from the server becomes "Chrome · Linux"; words stay product names. */
    device: (value: string | null | undefined) => {
      if (!value || value === 'Unknown device') return t('sessions.unknownDevice')
      const match = /^(.+) on (.+)$/.exec(value)
      if (!match) return value
      const os = match[2] === 'unknown OS' ? t('sessions.unknownOs') : match[2]
      const browser = match[1] === 'Browser' ? t('sessions.browser') : match[1]
      return t('sessions.deviceLabel', { browser, os })
    },
  }
}
