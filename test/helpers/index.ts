export * from './https.js'
export * from './servers.js'
export * from './browser.js'
export * from './cli.js'
