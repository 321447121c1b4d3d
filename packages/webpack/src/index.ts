import { unplugin } from './unplugin.js'

/** `plugins: [gangway()]` in webpack.config: webpack-dev-server publishes itself. */
const gangway = unplugin.webpack
export default gangway
// `require('@gangway/webpack')` (a CommonJS webpack.config.js) returns the plugin itself.
export { gangway as 'module.exports' }
export type { GangwayWebpackOptions } from './options.js'
