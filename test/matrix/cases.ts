/**
 * The matrix: every dev server people use, each as a user sets it up (a fixture under
 * test/fixtures, installed with plain npm from the packed tarballs), each with the edit
 * a user makes to see hot updates, and where the public URL shows up in its output.
 */
export interface HmrEdit {
  /** File of the app to edit, relative to its root. */
  file: string
  from: string
  to: string
  /** Element to watch, and what to read from it: its text, or a computed style property. */
  selector: string
  style?: string
  before: string
  after: string
}

export interface MatrixCase {
  id: string
  fixture: string
  /** Dependencies to pin over the fixture's (the Vite versions share one fixture). */
  pin?: Record<string, string>
  /** Pins for one Node major: what a user on that Node installs (webpack-dev-server 6 needs Node 22.15). */
  pinOn?: Record<number, Record<string, string>>
  /** Gangway packages it installs from the tarballs. */
  packages: string[]
  /** Node majors it runs on (Astro 7 needs 22.12+). */
  nodes: number[]
  /** The dev command's arguments after `npm run dev --`, given the port to use. */
  devArgs: (port: number) => string[]
  /** How the public URL line reads in the dev server's output, for `url`. */
  publicLine: (url: string) => string
  hmr: HmrEdit
  /** What ends the dev server the way its users end it (Vite closes on SIGTERM; SIGINT kills it outright). */
  stopSignal: NodeJS.Signals
}

const viteBanner = (url: string) => `➜  Public:  ${url}`

const reactEdit: HmrEdit = { file: 'src/App.jsx', from: '<h1>Get started</h1>', to: '<h1>Get started through the tunnel</h1>', selector: 'h1', before: 'Get started', after: 'Get started through the tunnel' }

function viteReact(major: number, pin: Record<string, string>): MatrixCase {
  return {
    id: `vite${major}`,
    fixture: 'vite-react',
    pin,
    packages: ['@gangway/core', '@gangway/vite'],
    nodes: [20, 22],
    devArgs: (port) => ['--port', String(port), '--strictPort'],
    publicLine: viteBanner,
    hmr: reactEdit,
    stopSignal: 'SIGTERM',
  }
}

export const CASES: MatrixCase[] = [
  viteReact(5, { vite: '5.4.21', '@vitejs/plugin-react': '5.2.0' }),
  viteReact(6, { vite: '6.4.6', '@vitejs/plugin-react': '5.2.0' }),
  viteReact(7, { vite: '7.3.8', '@vitejs/plugin-react': '5.2.0' }),
  viteReact(8, {}),
  {
    id: 'sveltekit',
    fixture: 'sveltekit',
    packages: ['@gangway/core', '@gangway/vite'],
    nodes: [20, 22],
    devArgs: (port) => ['--port', String(port), '--strictPort'],
    publicLine: viteBanner,
    hmr: { file: 'src/routes/+page.svelte', from: '<h1>Welcome to SvelteKit</h1>', to: '<h1>Welcome through the tunnel</h1>', selector: 'h1', before: 'Welcome to SvelteKit', after: 'Welcome through the tunnel' },
    stopSignal: 'SIGTERM',
  },
  {
    id: 'astro',
    fixture: 'astro',
    packages: ['@gangway/core', '@gangway/vite'],
    nodes: [22],
    devArgs: (port) => ['--port', String(port)],
    publicLine: (url) => `[gangway] Public  ${url}`,
    hmr: { file: 'src/styles/site.css', from: 'rgb(10, 20, 30)', to: 'rgb(200, 30, 40)', selector: 'h1', style: 'color', before: 'rgb(10, 20, 30)', after: 'rgb(200, 30, 40)' },
    stopSignal: 'SIGTERM',
  },
  {
    id: 'webpack-cjs',
    fixture: 'webpack-cjs',
    pinOn: { 20: { 'webpack-dev-server': '5.2.2', 'webpack-cli': '6.0.1' } },
    packages: ['@gangway/core', '@gangway/webpack'],
    nodes: [20, 22],
    devArgs: (port) => ['--port', String(port)],
    publicLine: (url) => `[gangway] Public: ${url}`,
    hmr: { file: 'src/message.js', from: 'Hello from a local dev server', to: 'Hello through the tunnel', selector: '#message', before: 'Hello from a local dev server', after: 'Hello through the tunnel' },
    stopSignal: 'SIGINT',
  },
  {
    id: 'rspack',
    fixture: 'rspack',
    packages: ['@gangway/core', '@gangway/webpack'],
    nodes: [20, 22],
    devArgs: (port) => ['--port', String(port)],
    publicLine: (url) => `[gangway] Public: ${url}`,
    hmr: { file: 'src/message.js', from: 'Hello from a local dev server', to: 'Hello through the tunnel', selector: '#message', before: 'Hello from a local dev server', after: 'Hello through the tunnel' },
    stopSignal: 'SIGINT',
  },
  {
    id: 'rsbuild',
    fixture: 'rsbuild',
    packages: ['@gangway/core', '@gangway/webpack'],
    nodes: [20, 22],
    devArgs: (port) => ['--port', String(port)],
    publicLine: viteBanner,
    hmr: { file: 'src/index.css', from: 'font-weight: 700;', to: 'font-weight: 300;', selector: '.content h1', style: 'font-weight', before: '700', after: '300' },
    stopSignal: 'SIGINT',
  },
  {
    id: 'next',
    fixture: 'next',
    packages: ['@gangway/core', '@gangway/next'],
    nodes: [20, 22],
    devArgs: (port) => ['-p', String(port)],
    publicLine: (url) => `- Public:        ${url}`,
    hmr: { file: 'app/message.jsx', from: 'Hello from a local dev server', to: 'Hello through the tunnel', selector: '#message', before: 'Hello from a local dev server', after: 'Hello through the tunnel' },
    stopSignal: 'SIGINT',
  },
]
