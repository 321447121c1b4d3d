import { defineConfig } from 'vite'
import gangway from '@gangway/vite'

// `pnpm dev` serves http://localhost:5173 and https://NAME.your-domain, HMR included.
// The proxy comes from your gangway profile (`gangway setup` or `gangway sandbox up`);
// set GANGWAY=0 to stay local for a while.
export default defineConfig({
  plugins: [gangway()],
})
