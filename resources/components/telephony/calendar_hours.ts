import type { TimeRange } from '../../types'

/** "09:00-12:00, 13:30-18:00" ⇄ ranges; the server checks each time. */
export function rangesToText(ranges: TimeRange[] | null | undefined) {
  return (ranges ?? []).map((r) => `${r.start}-${r.end}`).join(', ')
}

export function textToRanges(text: string): TimeRange[] {
  return text
    .split(/[,，;；\s]+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [start = '', end = ''] = part.split(/[-–~～]/)
      return { start: start.trim(), end: end.trim() }
    })
}
