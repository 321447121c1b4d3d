import { fileURLToPath } from 'node:url'
import HtmlWebpackPlugin from 'html-webpack-plugin'
import gangway from '@gangway/webpack'

// `pnpm dev` (webpack serve) serves http://localhost:8080 and https://NAME.your-domain,
// hot updates included. A plain `pnpm build` opens no tunnel.
// The proxy comes from your gangway profile; set GANGWAY=0 to stay local for a while.
export default {
  mode: 'development',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './src/index.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), clean: true },
  devServer: { port: 'auto' },
  plugins: [new HtmlWebpackPlugin({ title: 'Gangway + webpack', template: './src/index.html' }), gangway()],
}
