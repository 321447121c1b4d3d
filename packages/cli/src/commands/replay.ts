/**
 * `gangway replay <id>`: asks the running inspector (of `gangway http` or an adapter)
 * to send recorded request <id> to the local server again, and prints the answer.
 */
import { readFileSync } from 'node:fs'
import chalk from 'chalk'
import { defineCommand, type Flags, type FlagValues } from '../command.js'
import { out, UsageError } from '../output.js'
import { inspectorEndpoint, resignerFor, type ResignScheme } from '@gangway/core'

interface Detail {
  id: number
  startedAt: number
  held?: { receivedAt: number }
  status?: number
  state: string
  durationMs?: number
  error?: string
  request: { headers: [string, string][]; body: { base64: string; truncated: boolean } }
  response?: { reason: string; body: { size: number } }
}

let auth: Record<string, string> = {}

/** The inspector's answer; a failure to reach it reads as an answer too, so the command can say so and exit 1. */
async function api(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const res = await fetch(new URL(path, base), { ...init, headers: { ...(init.headers as Record<string, string>), ...auth } })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  } catch (err) {
    const why = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message
    return { status: 0, body: { error: `no inspector answers at ${base} (${why}); is gangway http running? It prints the address as "Inspector:"` } }
  }
}

const flags = {
  inspector: {
    type: 'string',
    value: 'URL',
    help: "the inspector's address as printed, with its token (default:\n$GANGWAY_INSPECTOR, else the newest inspector of yours running)",
  },
  method: { type: 'string', value: 'METHOD', help: 'replace the method' },
  path: { type: 'string', value: 'PATH', help: 'replace the path and query' },
  header: { type: 'string', multiple: true, value: "'Name: value'", help: 'set a header (repeatable; replaces headers of that name)' },
  body: { type: 'string', value: 'TEXT', help: 'replace the body' },
  'body-file': { type: 'string', value: 'FILE', help: "replace the body with a file's bytes" },
  resign: {
    type: 'string',
    value: 'SCHEME',
    help: 'sign it again (slack, stripe, standard-webhooks; secret from the\nenvironment) after checking its signature was made within 5 minutes\nof when it arrived; otherwise it is sent as it was',
  },
  json: { type: 'boolean', help: 'print the new exchange as JSON' },
} as const satisfies Flags

export const replay = defineCommand({
  name: 'replay',
  args: '<id>',
  summary: 'send a request recorded by the inspector to the local server again',
  description: 'Sends recorded request <id> (the # column of the inspector) to the local server again.',
  flags,
  run: ({ values, positionals }) => replayRequest(values, positionals),
})

async function replayRequest(values: FlagValues<typeof flags>, positionals: string[]): Promise<number> {
  const id = positionals[0]?.replace(/^#/, '')
  if (positionals.length !== 1 || !/^\d+$/.test(id ?? '')) throw new UsageError('gangway replay needs one request id, e.g. gangway replay 12')
  if (values.body !== undefined && values['body-file'] !== undefined) throw new UsageError('give --body or --body-file, not both')
  const endpoint = inspectorEndpoint(values.inspector ?? process.env.GANGWAY_INSPECTOR)
  if (!endpoint) {
    out.warn('no inspector of yours is running; start gangway http (it prints the inspector\'s address), or pass --inspector URL')
    return 1
  }
  const base = endpoint.base
  auth = endpoint.headers

  const edits: Record<string, unknown> = {}
  if (values.method) edits.method = values.method
  if (values.path) edits.path = values.path
  if (values.body !== undefined) edits.body = values.body
  if (values['body-file'] !== undefined) edits.bodyBase64 = readFileSync(values['body-file']).toString('base64')
  if (values.header?.length || values.resign) {
    // The API replaces all headers: start from the recorded ones, override by name.
    const original = await api(base, `/api/requests/${id}`)
    if (original.status !== 200) {
      out.warn(String(original.body.error))
      return 1
    }
    const recorded = original.body as unknown as Detail
    let headers = recorded.request.headers
    for (const h of values.header ?? []) {
      const colon = h.indexOf(':')
      if (colon <= 0) throw new UsageError(`--header needs "Name: value", got "${h}"`)
      const name = h.slice(0, colon).trim()
      headers = [...headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase()), [name, h.slice(colon + 1).trim()]]
    }
    if (values.resign) {
      // Signed here, where the secret is: it never travels to the inspector's process.
      const body = edits.bodyBase64 !== undefined ? Buffer.from(String(edits.bodyBase64), 'base64') : edits.body !== undefined ? Buffer.from(String(edits.body)) : Buffer.from(recorded.request.body.base64, 'base64')
      const result = resignerFor(values.resign as ResignScheme).resign(headers, body, recorded.held?.receivedAt ?? recorded.startedAt)
      headers = result.headers
      if (result.outcome === 'resigned') out.info(`re-signed (${result.detail})`)
      else out.warn(`not re-signed, sent as it was: ${result.detail}`)
    }
    edits.headers = headers
  }

  const { status, body } = await api(base, `/api/requests/${id}/replay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(edits),
  })
  if (status !== 201) {
    out.warn(`replay of #${id} refused: ${String(body.error)}`)
    return 1
  }
  const ex = body as unknown as Detail
  if (values.json) out.line(JSON.stringify(body))
  else if (ex.response) {
    const colour = ex.status! < 400 ? chalk.green : chalk.red
    out.line(`#${id} replayed as #${ex.id}: ${colour(`${ex.status} ${ex.response.reason}`)} · ${ex.durationMs} ms · ${ex.response.body.size} bytes`)
  } else out.line(`#${id} replayed as #${ex.id}: ${chalk.red(ex.error ?? ex.state)}`)
  return ex.response ? 0 : 1
}
