/**
 * Runs `fn` once `Date.now()` has reached `dueAt` (ms since the epoch).
 *
 * A plain `setTimeout(fn, dueAt - Date.now())` is not enough: Node counts timers on its own
 * monotonic clock in whole milliseconds, and about 3 % of them fire 1 ms before `Date.now()` says
 * the delay is over. A caller's max-wait timer that fired that early found the caller not yet
 * due and never looked again: the caller waited on past the queue's limit. Here an early firing
 * arms a timer for what is left. `track` receives every timer armed, so whoever owns them can
 * clear the current one (clearTimeout on one that already fired is harmless).
 */
export function setTimeoutAt(
  dueAt: number,
  fn: () => void,
  track: (timer: NodeJS.Timeout) => void = () => {}
): void {
  const arm = () =>
    track(setTimeout(() => (Date.now() >= dueAt ? fn() : arm()), Math.max(0, dueAt - Date.now())))
  arm()
}
