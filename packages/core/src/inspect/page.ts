/**
 * The inspector's one page: no framework, no external files (the CSP allows only this
 * page's own nonce'd script and style). Recorded data comes from the Internet, so it
 * is only ever put in the DOM as text (textContent), never as HTML.
 */
const STYLE = `
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#1d2330;background:#f6f7f9}
header{display:flex;gap:1em;align-items:center;padding:.6em 1em;background:#1d2330;color:#fff}
header h1{font-size:15px;margin:0}#live{font-size:12px;opacity:.8}header button{margin-left:auto}
main{display:grid;grid-template-columns:minmax(22em,45%) 1fr;height:calc(100vh - 2.6em)}
#list-pane{overflow:auto;border-right:1px solid #d5d9e0}table{border-collapse:collapse;width:100%}
#list td,#list th{padding:.3em .5em;text-align:left;white-space:nowrap;border-bottom:1px solid #e6e8ec}
#list td.path{max-width:22em;overflow:hidden;text-overflow:ellipsis}#list tbody tr{cursor:pointer}
#list tbody tr:hover{background:#eef2fb}#list tr.selected{background:#dbe6fb}
.s2{color:#17803d}.s3{color:#2456b3}.s4{color:#b36b00}.s5,.bad{color:#c22}.tag{font-size:11px;color:#667}
#detail{overflow:auto;padding:1em}#detail h2{font-size:15px;margin:0 0 .5em}h3{font-size:13px;margin:1.2em 0 .3em}
.headers td{padding:.1em .6em .1em 0;vertical-align:top;font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.headers td:first-child{color:#556;white-space:nowrap}
pre{background:#fff;border:1px solid #d5d9e0;padding:.6em;overflow:auto;max-height:40em;font-size:12px;white-space:pre-wrap;word-break:break-all}
.meta{color:#667;font-size:12px}.trunc{color:#b36b00;font-weight:600}
form{display:grid;gap:.4em;background:#fff;border:1px solid #d5d9e0;padding:.8em;margin:.6em 0}
form input,form textarea{font-family:ui-monospace,monospace;font-size:12px;width:100%}form textarea{min-height:8em}
.row{display:flex;gap:.4em}.row input:first-child{width:7em}#msg{margin-left:.6em}`

const SCRIPT = `
const $ = (s) => document.querySelector(s)
// The token came in this page's address; every call carries it (no cookie: cookies of
// 127.0.0.1 would go to any other server on it, whatever the port).
const token = new URLSearchParams(location.search).get('token') || ''
const auth = { authorization: 'Bearer ' + token }
const api = (path, init = {}) => fetch(path, { ...init, headers: { ...auth, ...(init.headers || {}) } })
const tbody = $('#list tbody'), rows = new Map()
let selected = null, current = null
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text != null) e.textContent = String(text); if (cls) e.className = cls; return e }
const size = (n) => n == null ? '' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB'
const statusText = (s) => s.status != null ? String(s.status) : s.state === 'incomplete' ? 'failed' : s.state === 'not-http' ? 'not HTTP' : '…'

function put(s) {
  let tr = rows.get(s.id)
  if (!tr) {
    tr = el('tr'); tr.dataset.id = s.id
    tr.addEventListener('click', () => select(s.id))
    rows.set(s.id, tr); tbody.prepend(tr)
  }
  tr.replaceChildren(
    el('td', s.id), el('td', s.method), el('td', s.path, 'path'),
    el('td', statusText(s), s.status ? 's' + String(s.status)[0] : s.error ? 'bad' : ''),
    el('td', s.durationMs != null ? s.durationMs + ' ms' : ''), el('td', size(s.responseSize)),
    el('td', s.replayOf ? 'replay of #' + s.replayOf : s.held ? 'held ' + Math.round((s.startedAt - s.held.receivedAt) / 1000) + ' s, delivered' + (s.held.attempt > 1 ? ' (attempt ' + s.held.attempt + ')' : '') + (s.held.resign === 'resigned' ? ', re-signed' : s.held.resign ? ', not re-signed' : '') : new Date(s.startedAt).toLocaleTimeString(), 'tag'))
  tr.classList.toggle('selected', s.id === selected)
  $('#count').textContent = rows.size + ' requests'
  if (s.id === selected) select(s.id, true)
}

function headersTable(headers) {
  const t = el('table', null, 'headers')
  for (const [n, v] of headers) { const tr = el('tr'); tr.append(el('td', n), el('td', v)); t.append(tr) }
  return t
}

function bodyBlock(b) {
  const box = el('div')
  if (b.kind === 'empty') { box.append(el('div', 'no body', 'meta')); return box }
  box.append(el('div', b.kind + ' · ' + size(b.size) + (b.contentType ? ' · ' + b.contentType : '') + (b.encoding ? ' · ' + b.encoding : ''), 'meta'))
  if (b.truncated) box.append(el('div', 'truncated: first ' + size(b.storedSize) + ' of ' + size(b.size) + ' (' + b.size + ' bytes) kept', 'trunc'))
  box.append(el('pre', b.text, 'body ' + b.kind))
  return box
}

async function select(id, refresh) {
  selected = id
  for (const [rid, tr] of rows) tr.classList.toggle('selected', rid === id)
  const r = await api('/api/requests/' + id)
  if (!r.ok) { $('#detail').replaceChildren(el('p', 'Request #' + id + ' is gone (the log keeps the newest only).')); return }
  const d = await r.json()
  if (refresh && $('#edit')) return // do not wipe a form being edited
  current = d
  const box = el('div')
  box.append(el('h2', '#' + d.id + ' ' + d.method + ' ' + d.path + (d.replayOf ? ' (replay of #' + d.replayOf + ')' : '') + (d.held ? ' (held by the proxy from ' + new Date(d.held.receivedAt).toLocaleTimeString() + ')' : '')))
  const bar = el('div'), replay = el('button', 'Replay'), edit = el('button', 'Edit and replay')
  replay.id = 'replay'; edit.id = 'edit-toggle'
  replay.addEventListener('click', () => send({}))
  edit.addEventListener('click', () => editForm(box))
  const msg = el('span', '', 'meta'); msg.id = 'msg'
  bar.append(replay, ' ', edit, msg); box.append(bar)
  if (d.error) box.append(el('p', d.error, 'bad'))
  box.append(el('h3', 'Request'), el('div', 'HTTP/' + d.request.httpVersion, 'meta'), headersTable(d.request.headers), bodyBlock(d.request.body))
  if (d.response) {
    box.append(el('h3', 'Response ' + d.response.status + ' ' + d.response.reason + (d.durationMs != null ? ' · ' + d.durationMs + ' ms' : '')))
    box.append(headersTable(d.response.headers), bodyBlock(d.response.body))
  }
  if (d.upgraded) box.append(el('p', 'Switched protocols: ' + size(d.upgraded.visitorBytes) + ' from the visitor, ' + size(d.upgraded.localBytes) + ' from the local server', 'meta'))
  $('#detail').replaceChildren(box)
}

function fromBase64(b64) { return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))) }

function editForm(box) {
  if ($('#edit')) return
  const d = current, f = el('form'); f.id = 'edit'
  const method = el('input'), path = el('input'), headers = el('textarea'), body = el('textarea'), go = el('button', 'Send to the local server')
  method.value = d.request.method; path.value = d.request.path; method.name = 'method'; path.name = 'path'; headers.name = 'headers'; body.name = 'body'
  headers.value = d.request.headers.map(([n, v]) => n + ': ' + v).join('\\n')
  const b = d.request.body, binary = b.kind === 'binary'
  body.value = binary ? '' : fromBase64(b.base64)
  body.placeholder = binary ? 'binary body: sent unchanged unless you type a new one' : ''
  if (b.truncated) body.placeholder = 'the body was truncated: type the body to send'
  const row = el('div', null, 'row'); row.append(method, path)
  f.append(row, el('label', 'Headers (Name: value per line)', 'meta'), headers, el('label', 'Body', 'meta'), body, go)
  f.addEventListener('submit', (e) => {
    e.preventDefault()
    const pairs = headers.value.split('\\n').filter((l) => l.trim()).map((l) => { const i = l.indexOf(':'); return [l.slice(0, i).trim(), l.slice(i + 1).trim()] })
    const edits = { method: method.value.trim(), path: path.value.trim(), headers: pairs }
    if (!binary || body.value) edits.body = body.value
    else edits.bodyBase64 = b.base64
    send(edits)
  })
  box.children[1].after(f)
}

async function send(edits) {
  const msg = $('#msg'); msg.textContent = ' sending…'
  const r = await api('/api/requests/' + selected + '/replay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(edits) })
  const d = await r.json()
  if (!r.ok) { msg.textContent = ' ' + d.error; return }
  put(d); select(d.id)
}

$('#clear').addEventListener('click', () => api('/api/requests', { method: 'DELETE' }))
api('/api/requests').then((r) => r.json()).then(({ requests }) => { for (const s of requests.reverse()) put(s) })
const events = new EventSource('/api/events?token=' + encodeURIComponent(token))
events.onopen = () => ($('#live').textContent = '● live')
events.onerror = () => ($('#live').textContent = '○ reconnecting…')
for (const t of ['added', 'updated']) events.addEventListener(t, (e) => put(JSON.parse(e.data)))
events.addEventListener('removed', (e) => { const id = JSON.parse(e.data).id; rows.get(id)?.remove(); rows.delete(id) })
events.addEventListener('cleared', () => { rows.clear(); tbody.replaceChildren(); $('#detail').replaceChildren(); $('#count').textContent = '0 requests' })
`

export function renderPage(nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>Gangway inspector</title><style nonce="${nonce}">${STYLE}</style></head><body>
<header><h1>Gangway inspector</h1><span id="live">○ connecting…</span><span id="count"></span><button id="clear">Clear</button></header>
<main><div id="list-pane"><table id="list"><thead><tr><th>#</th><th>Method</th><th>Path</th><th>Status</th><th>Duration</th><th>Size</th><th></th></tr></thead><tbody></tbody></table></div>
<section id="detail"><p class="meta">Select a request. Requests through the share appear here as they happen.</p></section></main>
<script nonce="${nonce}">${SCRIPT}</script></body></html>`
}
