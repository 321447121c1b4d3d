/**
 * Helpers for the Vite and webpack end-to-end tests: a disposable copy of a playground,
 * a count of this process's ssh connections to the sandbox, and what a page did
 * (console errors, websockets, full reloads).
 */
import { execFileSync } from 'node:child_process'
import http from 'node:http'
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BrowserContext, Page } from 'playwright-core'
import { expect, inject } from 'vitest'

const PLAYGROUNDS = resolve(fileURLToPath(new URL('../../playground', import.meta.url)))

export interface PlaygroundCopy {
  dir: string
  read(file: string): string
  write(file: string, text: string): void
  /** Replaces `from` (must occur) in a file of the copy. */
  edit(file: string, from: string, to: string): void
  remove(): void
}

/** Copies playground/NAME (sources only) to a temp dir; its node_modules is linked. */
export function copyPlayground(name: string): PlaygroundCopy {
  const source = join(PLAYGROUNDS, name)
  const dir = mkdtempSync(join(tmpdir(), `gangway-${name}-`))
  cpSync(source, dir, { recursive: true, filter: (src) => !['node_modules', 'dist'].includes(basename(src)) })
  symlinkSync(join(source, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const path = (file: string) => join(dir, file)
  return {
    dir,
    read: (file) => readFileSync(path(file), 'utf8'),
    write: (file, text) => writeFileSync(path(file), text),
    edit(file, from, to) {
      const text = readFileSync(path(file), 'utf8')
      if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`)
      writeFileSync(path(file), text.replace(from, to))
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Local ends (addr:port) of this process's established TCP connections to the sandbox's sshd: one per tunnel. */
export function sshConnectionsFromHereList(): string[] {
  const { sshPort } = inject('sandbox')
  const out = execFileSync('ss', ['-tnpH', 'state', 'established', 'dst', `127.0.0.1:${sshPort}`], { encoding: 'utf8' })
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${process.pid},`))
    .map((line) => line.trim().split(/\s+/)[2] ?? '')
}

export function sshConnectionsFromHere(): number {
  return sshConnectionsFromHereList().length
}

/** Samples `count` every 25 ms while `work` runs; returns the largest value seen. */
export async function maxDuring<T>(count: () => number, work: Promise<T>): Promise<{ result: T; max: number }> {
  let max = count()
  let done = false
  const sampling = (async () => {
    while (!done) {
      max = Math.max(max, count())
      await new Promise((r) => setTimeout(r, 25))
    }
  })()
  try {
    const result = await work
    return { result, max: Math.max(max, count()) }
  } finally {
    done = true
    await sampling
  }
}

export interface PageWatch {
  consoleErrors: string[]
  websockets: string[]
  /** Main-frame navigations after the first load: a full reload counts one. */
  reloads(): number
}

/** Call before page.goto. */
export function watchPage(page: Page): PageWatch {
  const consoleErrors: string[] = []
  const websockets: string[] = []
  let navigations = 0
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text())
  })
  page.on('pageerror', (err) => consoleErrors.push(err.message))
  page.on('websocket', (ws) => websockets.push(ws.url()))
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++
  })
  return { consoleErrors, websockets, reloads: () => Math.max(0, navigations - 1) }
}

/**
 * What a user checks of HMR through the share: the page loads from the public URL, its
 * HMR socket goes to the public host over wss, and an edit arrives hot — the same document
 * (a marker set before the edit survives), no reload, no console error.
 */
export async function expectHotEdit(
  context: BrowserContext,
  o: { url: string; host: string; edit(): void; timeoutMs?: number; onLoad?(page: Page): Promise<void> },
): Promise<void> {
  const page = await context.newPage()
  const watch = watchPage(page)
  await page.goto(o.url)
  await expect.poll(() => page.textContent('#message')).toBe('Hello from a local dev server')
  await o.onLoad?.(page)
  await expect.poll(() => watch.websockets.length).toBeGreaterThan(0)
  for (const url of watch.websockets) expect(url.startsWith(`wss://${o.host}/`), url).toBe(true)
  const marker = Math.random()
  await page.evaluate((m) => ((window as unknown as { __marker: number }).__marker = m), marker)
  o.edit()
  await expect.poll(() => page.textContent('#message'), { timeout: o.timeoutMs ?? 20_000 }).toBe('Hello through the tunnel')
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(marker)
  expect(watch.reloads()).toBe(0)
  expect(watch.consoleErrors).toEqual([])
  await page.close()
}

/** GET / on the local dev server with a chosen Host header (fetch cannot set Host). */
export function getWithHost(port: number, host: string, path = '/', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { ...headers, host } }, (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', reject)
  })
}
