/**
 * startInspector for the public API, loading the inspector (its server, page, store and
 * parser) on first use: importing @gangway/core must not pay for what few programs ask for.
 */
import type { Inspector, InspectorOptions } from './inspector.js'

export async function startInspector(options: InspectorOptions): Promise<Inspector> {
  const { startInspector: start } = await import('./inspector.js')
  return start(options)
}
