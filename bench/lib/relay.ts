/**
 * A WAN leg without tc netem: a TCP relay that holds every chunk `delayMs` before passing
 * it on, in each direction, between the workstation side and sshd.
 */
import net from 'node:net'
import type { AddressInfo } from 'node:net'

export interface Relay {
  port: number
  close(): Promise<void>
}

function delayed(from: net.Socket, to: net.Socket, delayMs: number): void {
  // Same delay for every chunk: timers fire in order, so bytes stay in order.
  from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs))
  from.on('end', () => setTimeout(() => to.end(), delayMs))
  from.on('error', () => to.destroy())
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 5))
}

export async function startRelay(targetPort: number, delayMs: number): Promise<Relay> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort, noDelay: true })
    client.setNoDelay(true)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    }
    delayed(client, upstream, delayMs)
    delayed(upstream, client, delayMs)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy()
      server.close(() => r())
    }),
  }
}
