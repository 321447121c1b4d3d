import { unplugin } from './unplugin.js'

/** `plugins: [gangway()]` in rspack.config: the rspack dev server publishes itself. */
const gangway = unplugin.rspack
export default gangway
// `require('@gangway/webpack/rspack')` (a CommonJS rspack.config.js) returns the plugin itself.
export { gangway as 'module.exports' }
export type { GangwayWebpackOptions } from './options.js'
