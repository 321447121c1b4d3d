import { withGangway } from './with-gangway.js'

export default withGangway
export { withGangway }
// `require('@gangway/next')` (a CommonJS next.config.js) returns withGangway itself.
export { withGangway as 'module.exports' }
export type { GangwayNextOptions, NextConfigLike } from './options.js'
