import { describe, expect, it } from 'vitest'
import { parseReadyLine } from '../src/ready-line.js'

describe('parseReadyLine', () => {
  it('reads hugo 0.111 (Debian)', () => {
    expect(parseReadyLine('Web Server is available at https://blog.gangway.test:28443/ (bind address 127.0.0.1)')).toEqual({
      url: 'https://blog.gangway.test:28443/',
      bind: '127.0.0.1',
      language: undefined,
    })
    expect(parseReadyLine('Web Server is available at http://localhost:1313/ (bind address 127.0.0.1)\r')?.url).toBe('http://localhost:1313/')
  })
  it('reads newer versions that append a root or language, or a trailing space', () => {
    expect(parseReadyLine('Web Server is available at http://localhost:1313/ (bind address 127.0.0.1) \n')).toEqual({
      url: 'http://localhost:1313/',
      bind: '127.0.0.1',
      language: undefined,
    })
    expect(parseReadyLine('Web Server is available at http://localhost:1313/en/ (bind address 127.0.0.1) en')).toEqual({
      url: 'http://localhost:1313/en/',
      bind: '127.0.0.1',
      language: 'en',
    })
    expect(parseReadyLine('Web Server is available at //localhost:1314/fr/ (bind address 0.0.0.0) fr ')?.language).toBe('fr')
  })
  it('tolerates colour codes and log prefixes', () => {
    expect(parseReadyLine('\u001b[32mINFO\u001b[0m  Web Server is available at http://localhost:1313/ (bind address 127.0.0.1)')?.url).toBe('http://localhost:1313/')
    expect(parseReadyLine('2024/01/01 12:00:00 Web Server is available at http://localhost:1313/ (bind address ::1)')?.bind).toBe('::1')
  })
  it('ignores other lines', () => {
    for (const line of ['Press Ctrl+C to stop', 'Built in 12 ms', 'Web Server is', '', 'Environment: "development"']) {
      expect(parseReadyLine(line)).toBeUndefined()
    }
  })
})
