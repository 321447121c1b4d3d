/** The inspector's bounded log and how bodies are shown. */
import { describe, expect, it } from 'vitest'
import { viewBody } from '../src/inspect/body-view.js'
import { BodyCapture } from '../src/inspect/exchange.js'
import { ExchangeStore, type StoreEvent } from '../src/inspect/store.js'

function add(store: ExchangeStore, path: string, bodyBytes = 0) {
  const ex = store.begin({ connectionId: 1, source: 'tunnel', startedAt: Date.now(), request: { method: 'GET', path, headers: [], httpVersion: '1.1', headBytes: 100 } })
  if (bodyBytes) ex.request.body.append(Buffer.alloc(bodyBytes, 1))
  return ex
}

describe('inspector store', () => {
  it('keeps at most maxEntries, dropping the oldest and saying so', () => {
    const store = new ExchangeStore({ maxEntries: 3, maxBytes: 1 << 20, maxBodyBytes: 1000 })
    const events: StoreEvent[] = []
    store.subscribe((e) => events.push(e))
    for (let i = 1; i <= 5; i++) add(store, `/${i}`)
    expect(store.list().map((e) => e.request.path)).toEqual(['/5', '/4', '/3'])
    expect(events.filter((e) => e.type === 'removed')).toEqual([
      { type: 'removed', id: 1 },
      { type: 'removed', id: 2 },
    ])
  })

  it('keeps at most maxBytes, counting heads and stored body bytes', () => {
    const store = new ExchangeStore({ maxEntries: 100, maxBytes: 5000, maxBodyBytes: 2000 })
    for (let i = 1; i <= 10; i++) add(store, `/${i}`, 1500) // 100 head + 1500 body each
    expect(store.heldBytes).toBeLessThanOrEqual(5000)
    expect(store.size).toBe(3)
    expect(store.list()[0]!.request.path).toBe('/10')
  })

  it('never drops the exchange being written, and ignores growth of dropped ones', () => {
    const store = new ExchangeStore({ maxEntries: 2, maxBytes: 4000, maxBodyBytes: 2000 })
    const old = add(store, '/old')
    add(store, '/a')
    add(store, '/b')
    expect(store.get(old.id)).toBeUndefined()
    const before = store.heldBytes
    old.request.body.append(Buffer.alloc(1500))
    store.update(old)
    expect(store.heldBytes).toBe(before)
    const big = add(store, '/big', 2000)
    expect(store.get(big.id)).toBe(big)
  })

  it('caps a body at maxBodyBytes while counting its full size', () => {
    const cap = new BodyCapture(10)
    for (let i = 0; i < 100; i++) cap.append(Buffer.from('0123456789abcdef'))
    expect(cap.size).toBe(1600)
    expect(cap.storedBytes).toBe(10)
    expect(cap.bytes().toString()).toBe('0123456789')
    expect(cap.truncated).toBe(true)
  })
})

describe('inspector body view', () => {
  const capture = (b: Buffer | string, cap = 1 << 20) => {
    const c = new BodyCapture(cap)
    c.append(Buffer.from(b))
    return c
  }

  it('pretty-prints JSON', () => {
    const v = viewBody(capture('{"type":"event_callback","event":{"type":"app_mention"}}'), [['Content-Type', 'application/json']])
    expect(v.kind).toBe('json')
    expect(v.text).toContain('\n  "type": "event_callback"')
  })

  it('shows text as text and binary as size and hex', () => {
    expect(viewBody(capture('token=abc&x=1'), [['content-type', 'application/x-www-form-urlencoded']])).toMatchObject({ kind: 'text', text: 'token=abc&x=1' })
    const bin = viewBody(capture(Buffer.from([0, 1, 2, 0xff, 0x41])), [['content-type', 'application/octet-stream']])
    expect(bin.kind).toBe('binary')
    expect(bin.size).toBe(5)
    expect(bin.text).toMatch(/^00000000  00 01 02 ff 41 +\.\.\.\.A$/)
    const gz = viewBody(capture('pretend gzip'), [['content-encoding', 'gzip']])
    expect(gz.kind).toBe('binary')
  })

  it('marks a truncated body with its full size and still shows its start', () => {
    const v = viewBody(capture('{"a":"' + 'é'.repeat(100) + '"}', 11), [['content-type', 'application/json']])
    expect(v).toMatchObject({ truncated: true, storedSize: 11, size: 208, kind: 'text' })
    expect(v.text).toBe('{"a":"ééé'.slice(0, 8)) // a cut multi-byte character is dropped, not garbled
  })
})
