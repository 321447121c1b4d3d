/**
 * Prints one line after a vitest run that included the matrix:
 *   faults: N passed, M failed (K in test/faults, J referenced elsewhere)
 * Counts only tests that ran (skipped and filtered-out tests are not rows run).
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node'
import { ELSEWHERE, FAULTS_DIR } from './matrix.js'

function ran(t: TestCase): 'passed' | 'failed' | undefined {
  const state = t.result().state
  return state === 'passed' || state === 'failed' ? state : undefined
}

export default class FaultSummary implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const counted: Array<'passed' | 'failed'> = []
    let own = 0
    let referenced = 0
    for (const mod of modules) {
      const id = mod.moduleId
      const inFaults = id.includes(FAULTS_DIR)
      for (const t of mod.children.allTests()) {
        const state = ran(t)
        if (!state) continue
        const named = ELSEWHERE.some((e) => id.endsWith(e.file) && e.test === t.name)
        if (inFaults) own++
        else if (named) referenced++
        else continue
        counted.push(state)
      }
    }
    if (!counted.length) return
    const passed = counted.filter((s) => s === 'passed').length
    const failed = counted.length - passed
    console.log(`\nfaults: ${passed} passed, ${failed} failed (${own} in test/faults, ${referenced} referenced elsewhere)`)
  }
}
