import { unplugin } from './unplugin.js'

/** `plugins: [gangway()]` in webpack.config: webpack-dev-server publishes itself. */
export default unplugin.webpack
export type { GangwayWebpackOptions } from './options.js'
