import Message from './message.jsx'

export default function Page() {
  return (
    <main>
      <h1>Gangway + Next.js</h1>
      <Message />
      <p>
        Edit <code>app/message.jsx</code>: the text updates through Fast Refresh.
      </p>
    </main>
  )
}
