/*
| TypeScript for ace commands (the telephony and job workers included), compiled by SWC as
| @poppinss/ts-exec compiles it, but in the main thread: ts-exec registers its hooks with
| module.register(), which starts a loader thread with a V8 isolate and SWC of its own that
| stays for the life of the process (about 45 MB of a worker's resident memory).
| module.registerHooks() runs synchronous hooks in the thread that imports.
| The SWC options are derived from tsconfig.json the way ts-exec derives them.
*/
import { createRequire, registerHooks } from 'node:module'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'

// ts-exec's own SWC and tsconfig reader, so both loaders compile alike.
const require = createRequire(import.meta.resolve('@poppinss/ts-exec'))
const { transformSync } = require('@swc/core')
const { getTsconfig } = require('get-tsconfig')

process.setSourceMapsEnabled(true)

const tsConfig = getTsconfig(process.env.TS_EXEC_PWD ?? process.cwd())?.config ?? {}
const compilerOptions = tsConfig.compilerOptions ?? {}
const swcConfig = {
  sourceMaps: compilerOptions.sourceMap ?? true,
  jsc: {
    target:
      compilerOptions.target?.toLowerCase() === 'es6'
        ? 'esnext'
        : (compilerOptions.target?.toLowerCase() ?? 'esnext'),
    baseUrl: compilerOptions.baseUrl,
    externalHelpers: false,
    parser: {
      syntax: 'typescript',
      tsx: !!compilerOptions.jsx,
      decorators: true,
      dynamicImport: true,
    },
    transform: {
      ...(compilerOptions.emitDecoratorMetadata ? { decoratorMetadata: true } : {}),
      ...(compilerOptions.experimentalDecorators ? { legacyDecorator: true } : {}),
      ...(compilerOptions.verbatimModuleSyntax ? { verbatimModuleSyntax: true } : {}),
      ...(compilerOptions.useDefineForClassFields ? { useDefineForClassFields: true } : {}),
      react: {
        runtime: 'automatic',
        ...(compilerOptions.jsxImportSource
          ? { importSource: compilerOptions.jsxImportSource }
          : {}),
      },
    },
    experimental: { keepImportAttributes: true },
    keepClassNames: true,
  },
}

const isLocalPath = (specifier) =>
  specifier.startsWith('./') ||
  specifier.startsWith('../') ||
  specifier.startsWith('/') ||
  specifier.startsWith('file:')

registerHooks({
  // `./file.js` in an import names `./file.ts` on disk.
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context)
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !error.url || !isLocalPath(error.url)) {
        throw error
      }
      const [pathname, ...query] = error.url.split('?')
      const extension = extname(pathname)
      const candidates = []
      if (['.js', '.mjs', '.cjs', '.jsx'].includes(extension)) {
        candidates.push(extension.replace('js', 'ts'))
      }
      if (extension === '.js') candidates.push('.tsx')
      for (const candidate of candidates) {
        const path = pathname.slice(0, -extension.length) + candidate
        try {
          return nextResolve(query.length ? `${path}?${query.join('?')}` : path, context)
        } catch {
          // Try the next extension; the original error is the one to report.
        }
      }
      throw error
    }
  },

  load(url, context, nextLoad) {
    const { format } = context
    const typescript = format === 'module-typescript' || format === 'commonjs-typescript'
    if (!typescript && !url.endsWith('.tsx') && !url.endsWith('.jsx')) {
      return nextLoad(url, context)
    }
    const { source } = nextLoad(url, { ...context, format: 'module' })
    const { code, map } = transformSync(source.toString(), {
      ...swcConfig,
      module: { type: format === 'commonjs-typescript' ? 'commonjs' : 'es6' },
      filename: fileURLToPath(url),
    })
    const sourceMap = map
      ? `\n\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`
      : ''
    return {
      format: format ? format.replace('-typescript', '') : 'module',
      source: `${code}${sourceMap}\n\n//# sourceURL=${url}`,
    }
  },
})
