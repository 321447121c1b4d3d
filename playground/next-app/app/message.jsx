'use client'

export default function Message() {
  return <p id="message">Hello from a local dev server</p>
}
