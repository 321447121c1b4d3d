import './style.css'
import { setupCounter } from './counter.ts'
import { message } from './message.ts'

document.querySelector<HTMLDivElement>('#app')!.innerHTML = `
  <h1>Gangway + Vite</h1>
  <p id="message">${message}</p>
  <button id="counter" type="button"></button>
  <p class="hint">Edit <code>src/message.ts</code>: the page updates without a reload, on localhost and on the public URL.</p>
`

setupCounter(document.querySelector<HTMLButtonElement>('#counter')!)
