/** A password typed at the terminal, not echoed: it never reaches argv, env or a log. */
import { UsageError } from './output.js'

export function promptPassword(question: string): Promise<string> {
  const input = process.stdin
  if (!input.isTTY) {
    return Promise.reject(new UsageError(`${question.trim()} needs a terminal; set GANGWAY_AUTH_PASSWORD instead`))
  }
  return new Promise((resolve, reject) => {
    let value = ''
    process.stderr.write(question)
    input.setRawMode(true)
    input.resume()
    input.setEncoding('utf8')
    const done = (err?: Error) => {
      input.setRawMode(false)
      input.pause()
      input.off('data', onData)
      process.stderr.write('\n')
      if (err) reject(err)
      else resolve(value)
    }
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done()
        if (ch === '\u0003') return done(new UsageError('cancelled'))
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1)
        else value += ch
      }
    }
    input.on('data', onData)
  })
}
