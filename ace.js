/*
| JavaScript entrypoint for ace commands. Node cannot run TypeScript source directly, so this
| file registers SWC hooks in this thread (bin/typescript_hooks.js; the workers run for days and
| a loader thread would cost them memory) and then imports the real console entrypoint.
*/
import './bin/typescript_hooks.js'

await import('./bin/console.js')
