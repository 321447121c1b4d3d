import { message } from './message.js'

function render() {
  document.querySelector('#message').textContent = message
}
render()

// Accept updates of message.js in place; anything else falls back to a live reload.
if (import.meta.webpackHot) {
  import.meta.webpackHot.accept('./message.js', render)
}
