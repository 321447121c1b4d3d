export const message = 'Hello from a local dev server'

// Swap just this module on edit: main.ts re-renders the text, the rest of the page stays.
if (import.meta.hot) {
  import.meta.hot.accept((next) => {
    const el = document.querySelector('#message')
    if (next && el) el.textContent = (next as { message: string }).message
  })
}
