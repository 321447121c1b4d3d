/**
 * The inspector's log: bounded by count and by bytes held, oldest dropped first.
 * Exchanges are recorded while they happen, so the store hands out body captures
 * that report their growth, and tells listeners (the SSE stream) about changes.
 */
import { BodyCapture, type Exchange, type RecordedRequest } from './exchange.js'

export interface StoreLimits {
  /** Exchanges kept. @default 500 */
  maxEntries: number
  /** Bytes kept over all exchanges (stored bodies and heads). @default 64 MiB */
  maxBytes: number
  /** Bytes kept of one body; the rest is only counted. @default 1 MiB */
  maxBodyBytes: number
}

export const DEFAULT_LIMITS: StoreLimits = { maxEntries: 500, maxBytes: 64 * 1024 * 1024, maxBodyBytes: 1024 * 1024 }

export type StoreEvent = { type: 'added' | 'updated'; exchange: Exchange } | { type: 'removed'; id: number } | { type: 'cleared' }

export class ExchangeStore {
  private readonly entries = new Map<number, Exchange>()
  private readonly sizes = new Map<number, number>()
  private readonly listeners = new Set<(event: StoreEvent) => void>()
  private nextId = 1
  private bytes = 0

  constructor(readonly limits: StoreLimits = DEFAULT_LIMITS) {}

  get size(): number {
    return this.entries.size
  }

  /** Bytes currently held, for tests and the status endpoint. */
  get heldBytes(): number {
    return this.bytes
  }

  /** Starts an exchange from a request head; its body capture counts against the bound. */
  begin(init: Omit<Exchange, 'id' | 'request' | 'state'> & { request: Omit<RecordedRequest, 'body'> }): Exchange {
    const id = this.nextId++
    const exchange: Exchange = { ...init, id, state: 'request', request: { ...init.request, body: this.capture(id) } }
    this.entries.set(id, exchange)
    this.sizes.set(id, 0)
    this.account(id, init.request.headBytes)
    this.emit({ type: 'added', exchange })
    this.evict(id)
    return exchange
  }

  /** A body capture whose stored bytes count for exchange `id`, as do `headBytes`. */
  capture(id: number, headBytes = 0): BodyCapture {
    this.account(id, headBytes)
    return new BodyCapture(this.limits.maxBodyBytes, (n) => {
      this.account(id, n)
      this.evict(id)
    })
  }

  /** Tells listeners the exchange changed (state, response, duration). */
  update(exchange: Exchange): void {
    if (this.entries.get(exchange.id) !== exchange) return // already dropped
    this.emit({ type: 'updated', exchange })
  }

  get(id: number): Exchange | undefined {
    return this.entries.get(id)
  }

  /** Newest first. */
  list(): Exchange[] {
    return [...this.entries.values()].reverse()
  }

  clear(): void {
    this.entries.clear()
    this.sizes.clear()
    this.bytes = 0
    this.emit({ type: 'cleared' })
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private account(id: number, n: number): void {
    const size = this.sizes.get(id)
    if (size === undefined) return // dropped while still being recorded: nothing to count
    this.sizes.set(id, size + n)
    this.bytes += n
  }

  /** Drops the oldest exchanges until within bounds; never the one being written (`keep`). */
  private evict(keep: number): void {
    if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) return // the usual case: no iterator
    for (const id of this.entries.keys()) {
      if (this.entries.size <= this.limits.maxEntries && this.bytes <= this.limits.maxBytes) return
      if (id === keep) continue
      this.bytes -= this.sizes.get(id) ?? 0
      this.sizes.delete(id)
      this.entries.delete(id)
      this.emit({ type: 'removed', id })
    }
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A listener's failure must never reach the tunnel's data path.
      }
    }
  }
}
