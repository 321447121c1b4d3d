import { gangway } from './plugin.js'

export default gangway
export { gangway }
export type { GangwayViteOptions } from './options.js'
export { openShares } from './registry.js'
