import { defineConfig } from '@rsbuild/core'
import gangway from '@gangway/webpack/rsbuild'

// `pnpm dev` (rsbuild dev) serves http://localhost:3000 and https://NAME.your-domain,
// hot updates included; the public URL is printed under Rsbuild's own Local line.
// A plain `pnpm build` opens no tunnel. Set GANGWAY=0 to stay local for a while.
export default defineConfig({
  html: { title: 'Gangway + Rsbuild', template: './src/index.html' },
  plugins: [gangway()],
})
