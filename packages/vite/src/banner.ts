/**
 * The public URL inside Vite's own URL banner, formatted like its Local/Network lines,
 * with an optional QR code for phones.
 */
import chalk from 'chalk'
import { renderUnicodeCompact } from 'uqr'

export type PublicState = 'connecting' | 'online' | 'failed'

export function publicUrlLine(url: string, state: PublicState): string {
  const shown = chalk.cyan(url.replace(/:(\d+)\//, (_, port: string) => `:${chalk.bold(port)}/`))
  const note = state === 'online' ? '' : state === 'connecting' ? chalk.dim(' (connecting…)') : chalk.dim(' (not connected, see the error above)')
  return `  ${chalk.green('➜')}  ${chalk.bold('Public')}:  ${shown}${note}`
}

export function qrCode(url: string): string {
  return renderUnicodeCompact(url, { border: 1 })
    .split('\n')
    .map((line) => `     ${line}`)
    .join('\n')
}

interface PrintsUrls {
  printUrls(): void
}

/** Wraps `server.printUrls` so every banner (first start, restarts) ends with the public line. */
export function wrapPrintUrls(server: PrintsUrls, info: (line: string) => void, line: () => string, qr: () => string | undefined): void {
  const print = server.printUrls.bind(server)
  server.printUrls = () => {
    print()
    info(line())
    const code = qr()
    if (code) info(code)
  }
}
