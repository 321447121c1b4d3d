import { unplugin } from './unplugin.js'

/** `plugins: [gangway()]` in rspack.config: the rspack dev server publishes itself. */
export default unplugin.rspack
export type { GangwayWebpackOptions } from './options.js'
