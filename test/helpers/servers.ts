/** Local "dev servers" for tests: plain node:http servers on loopback with a random port. */
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LocalServer {
  port: number
  server: http.Server
  close(): Promise<void>
}

export async function listen(handler: http.RequestListener, port = 0): Promise<LocalServer> {
  const server = http.createServer(handler)
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * Echo server: GET /hello → "hello from local"; GET /headers → request headers as JSON;
 * POST /sha256 → sha256 of the body; GET /bytes/N → N deterministic bytes.
 */
export function echoHandler(): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/headers') {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ headers: req.headers, remote: req.socket.remoteAddress }))
      return
    }
    if (url.pathname === '/sha256') {
      const hash = createHash('sha256')
      let size = 0
      req.on('data', (c: Buffer) => {
        size += c.length
        hash.update(c)
      })
      req.on('end', () => res.end(JSON.stringify({ size, sha256: hash.digest('hex') })))
      return
    }
    const bytes = /^\/bytes\/(\d+)$/.exec(url.pathname)
    if (bytes) {
      const total = Number(bytes[1])
      res.setHeader('content-length', total)
      res.setHeader('content-type', 'application/octet-stream')
      streamBytes(total, res)
      return
    }
    res.setHeader('content-type', 'text/plain')
    res.end('hello from local')
  }
}

/** The deterministic byte stream behind /bytes/N: block i is sha256(i) repeated. */
export function patternBlock(i: number): Buffer {
  const seed = createHash('sha256').update(String(i)).digest()
  return Buffer.concat(Array.from({ length: 2048 }, () => seed)) // 64 KiB
}

function streamBytes(total: number, res: http.ServerResponse): void {
  let sent = 0
  let i = 0
  const pump = () => {
    while (sent < total) {
      const block = patternBlock(i++)
      const chunk = block.subarray(0, Math.min(block.length, total - sent))
      sent += chunk.length
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
}

export function expectedSha256(total: number): string {
  const hash = createHash('sha256')
  let left = total
  for (let i = 0; left > 0; i++) {
    const block = patternBlock(i)
    const chunk = block.subarray(0, Math.min(block.length, left))
    hash.update(chunk)
    left -= chunk.length
  }
  return hash.digest('hex')
}
