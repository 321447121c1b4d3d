import withGangway from '@gangway/next'

// `pnpm dev` (next dev) serves http://localhost:3000 and https://NAME.your-domain, Fast
// Refresh included: withGangway adds the share's host to allowedDevOrigins and opens the
// share in `next dev` only. `next build` and `next start` see this config unchanged.
// The proxy comes from your gangway profile; set GANGWAY=0 to stay local for a while.
export default withGangway({ reactStrictMode: true })
