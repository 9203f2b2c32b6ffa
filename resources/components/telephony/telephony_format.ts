/** Seconds as mm:ss (h:mm:ss from an hour on); null or negative shows a dash. */
export function duration(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${String(m).padStart(2, '0')}:${rest}`
}

/** Copies text; resolves false when the browser refuses (no secure context...). */
export async function copyText(text: string) {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

/** Lucid's validation errors as JSON ({ errors: [{ field, message }] }) to a field → message map. */
export function jsonErrors(body: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  const list = (body as { errors?: Array<{ field?: string; message?: string }> })?.errors ?? []
  for (const e of list) {
    const field = e.field ?? 'form'
    if (!out[field] && e.message) out[field] = e.message
  }
  return out
}
