/** One unplugin for webpack and rspack: both hand their compiler to the same wiring. */
import { createUnplugin } from 'unplugin'
import { resolveOptions, type GangwayWebpackOptions } from './options.js'
import { publishDevServer, type CompilerLike } from './publish.js'

export const unplugin = createUnplugin<GangwayWebpackOptions | undefined>((options) => {
  const opts = resolveOptions(options)
  return {
    name: 'gangway',
    webpack: (compiler) => publishDevServer(compiler as unknown as CompilerLike, opts),
    rspack: (compiler) => publishDevServer(compiler as unknown as CompilerLike, opts),
  }
})
