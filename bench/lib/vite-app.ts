/**
 * P8's dev server: a Vite app of ~300 ES modules generated at bench time (never committed),
 * served by a real Vite dev server. index.html loads main.js, which imports FANOUT[0]
 * modules, each of which imports FANOUT[1], each of those FANOUT[2] leaves: a waterfall
 * of `1 + FANOUT.length` module levels below the document. Level-2 modules import a CSS
 * file each, main imports an image. main.js runs last (ES modules evaluate after all they
 * import) and sets `window.__p8` once the image has loaded too: that is the marker.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { deflateSync } from 'node:zlib'

export const FANOUT = [6, 7, 6] as const

export interface ViteApp {
  root: string
  port: number
  /** JS modules the page loads (main + every level). */
  modules: number
  /** Sequential fetch rounds a cold load needs: the document, then each module level. */
  rounds: number
  close(): Promise<void>
}

/** A few hundred bytes of plain code per module, different in every file (no two are alike). */
function body(id: string, seed: number): string {
  const words = Array.from({ length: 12 }, (_, i) => `w${(seed * 31 + i * 17) % 997}`)
  return `const label_${id} = ${JSON.stringify(`${id}: ${words.join(' ')}`)}
function compute_${id}(n) {
  let acc = ${seed % 89}
  for (let i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003
  return acc
}
`
}

/** A tiny valid PNG (solid colour), so the page also waits for an image. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const c = Buffer.alloc(4)
    c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x5a)])
  const raw = Buffer.concat(Array.from({ length: height }, () => row))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** Writes the app under `root`; returns the number of JS modules. */
export function generateApp(root: string): number {
  const src = join(root, 'src')
  mkdirSync(src, { recursive: true })
  let modules = 0
  let seed = 1
  const write = (name: string, text: string) => writeFileSync(join(src, name), text)
  // Leaves first, then each level above imports the one below.
  const level = (depth: number, path: number[]): string => {
    const id = `m${path.join('_')}`
    modules++
    seed++
    if (depth === FANOUT.length) {
      write(`${id}.js`, `${body(id, seed)}export const ${id} = compute_${id}(${seed % 50}) + label_${id}.length\n`)
      return id
    }
    const children = Array.from({ length: FANOUT[depth]! }, (_, i) => level(depth + 1, [...path, i]))
    const css = depth === 1 ? `import './${id}.css'\n` : ''
    if (css) writeFileSync(join(src, `${id}.css`), `.${id} { color: #${(seed * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}; margin: ${seed % 7}px; }\n`)
    write(
      `${id}.js`,
      `${css}${children.map((c) => `import { ${c} } from './${c}.js'\n`).join('')}${body(id, seed)}export const ${id} = compute_${id}(3) + ${children.join(' + ')}\n`,
    )
    return id
  }
  const top = Array.from({ length: FANOUT[0] }, (_, i) => level(1, [i]))
  modules++
  write(
    'main.js',
    `import './style.css'
import logo from './logo.png'
${top.map((c) => `import { ${c} } from './${c}.js'\n`).join('')}
const img = document.createElement('img')
img.src = logo
img.alt = 'logo'
document.body.append(img)
document.querySelector('#out').textContent = String(${top.join(' + ')})
// Every module above has run (ES modules evaluate after their imports): the page is loaded once the image is.
const done = () => { window.__p8 = performance.now() }
img.complete ? done() : img.addEventListener('load', done)
`,
  )
  writeFileSync(join(src, 'style.css'), 'body { font: 16px system-ui, sans-serif; margin: 2em; }\nimg { width: 64px; height: 64px; }\n')
  writeFileSync(join(src, 'logo.png'), png(64, 64))
  writeFileSync(join(root, 'index.html'), `<!doctype html>
<html><head><meta charset="utf-8"><title>P8</title></head>
<body><h1>P8 page load</h1><p id="out"></p><script type="module" src="/src/main.js"></script></body></html>
`)
  return modules
}

export async function startViteApp(root: string, allowedHosts: string[]): Promise<ViteApp> {
  const modules = generateApp(root)
  const { createServer } = await import('vite')
  const server = await createServer({
    root,
    configFile: false,
    logLevel: 'warn',
    clearScreen: false,
    cacheDir: join(root, '.vite'),
    // No websocket: the page load is measured, not HMR (the seed's vhost cannot carry one).
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, ws: false, allowedHosts },
    optimizeDeps: { noDiscovery: true, include: [] },
  })
  await server.listen()
  const port = (server.httpServer!.address() as AddressInfo).port
  return { root, port, modules, rounds: 1 + 1 + FANOUT.length, close: () => server.close() }
}
