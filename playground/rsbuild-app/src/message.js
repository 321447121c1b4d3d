export const message = 'Hello from a local dev server'
