// No next/font/google: fonts are local, so nothing is fetched at build time.
export const metadata = { title: 'Gangway + Next.js', icons: { icon: 'data:,' } }

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif' }}>{children}</body>
    </html>
  )
}
