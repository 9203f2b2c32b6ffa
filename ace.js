/*
| JavaScript entrypoint for ace commands. Node cannot run TypeScript source directly, so this
| file registers the ts-exec hooks (SWC based) and then imports the real console entrypoint.
*/
import '@poppinss/ts-exec'

await import('./bin/console.js')
