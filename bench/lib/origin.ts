/**
 * The local "dev server" both sides forward to: tiny responses, N bytes down, a body
 * sink, and a hold that answers once `n` requests are waiting (for the 1000-connection figure).
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const BLOCK = Buffer.alloc(256 * 1024, 'gangway-bench ')

export interface Origin {
  port: number
  server: http.Server
  close(): Promise<void>
}

export async function startOrigin(port = 0): Promise<Origin> {
  let held: http.ServerResponse[] = []
  let holdTarget = Infinity
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/'
    if (url === '/small') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 12 })
      return res.end('hello bench\n')
    }
    const bytes = /^\/bytes\/(\d+)$/.exec(url)
    if (bytes) {
      let left = Number(bytes[1])
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': left })
      const pump = () => {
        while (left > 0) {
          const chunk = left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left)
          left -= chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      return pump()
    }
    if (url === '/sink') {
      let size = 0
      req.on('data', (c: Buffer) => (size += c.length))
      req.on('end', () => res.end(JSON.stringify({ size })))
      return
    }
    const hold = /^\/hold\/(\d+)$/.exec(url)
    if (hold) {
      holdTarget = Number(hold[1])
      held.push(res)
      if (held.length >= holdTarget) {
        const all = held
        held = []
        for (const r of all) r.end('released\n')
      }
      return
    }
    res.end('hello bench\n')
  })
  server.keepAliveTimeout = 65_000
  server.maxConnections = 100_000
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => new Promise((r) => {
      server.closeAllConnections()
      server.close(() => r())
    }),
  }
}
