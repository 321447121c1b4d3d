/**
 * The fault and bad-input matrix of issue 7. Rows in test/faults/ are counted from their
 * files; rows already covered elsewhere are listed here by file and test name, and are
 * counted only when they really ran in this vitest run.
 */
export const FAULTS_DIR = '/test/faults/'

export const ELSEWHERE: ReadonlyArray<{ row: string; file: string; test: string }> = [
  { row: 'sshd restarted', file: 'test/core-reconnect.test.ts', test: 'serves the same URL again after sshd is restarted (sessions killed)' },
  { row: 'sshd session SIGSTOPped (silent drop)', file: 'test/core-reconnect.test.ts', test: 'detects a silent drop (sshd session SIGSTOPped) and comes back, despite the stale listener' },
  { row: 'a local port nobody listens on', file: 'test/core-chain.test.ts', test: 'answers 502 saying the dev server is not answering, then 503 offline once the tunnel is closed' },
  { row: 'changed host key', file: 'test/core-errors.test.ts', test: 'a changed host key is fatal and shows both fingerprints' },
  { row: 'unknown host key', file: 'test/core-errors.test.ts', test: 'an unknown host fails with the command that trusts it; accept-new records it' },
  { row: 'unreadable key file', file: 'test/core-errors.test.ts', test: 'an unreadable key file is named' },
  { row: 'wrong passphrase', file: 'test/core-errors.test.ts', test: 'an encrypted key without passphrase says so; a wrong passphrase says so' },
  { row: 'port out of range', file: 'test/core-errors.test.ts', test: 'a local port out of range is refused' },
  { row: 'missing config (CLI)', file: 'test/cli.test.ts', test: 'says which config is missing when there is none' },
  { row: 'injection and malformed names', file: 'packages/core/test/proxy-agent.test.ts', test: 'rejects bad hosts, tokens, instances and sizes before touching anything' },
  { row: "another key's name", file: 'packages/core/test/proxy-agent.test.ts', test: 'keeps a share for its owner label (NAME_TAKEN names it); only a live session of that label holds it' },
  { row: 'a second process of the same key', file: 'packages/core/test/proxy-agent.test.ts', test: 'within a label: another live process is refused unless it takes over; the old session is ended and told' },
  { row: 'a socket the caller does not hold', file: 'packages/core/test/proxy-agent.test.ts', test: 'refuses a socket the caller does not hold, and binds no socket for a key anywhere it matters' },
  { row: 'nginx rejects the config (rollback)', file: 'packages/core/test/proxy-agent.test.ts', test: 'rolls a vhost back when nginx rejects the configuration; other shares keep serving' },
  { row: 'certbot failing', file: 'packages/core/test/proxy-agent.test.ts', test: 'keeps serving an old certificate when certbot fails, and fails without one' },
]
