/**
 * A bad command line (unknown flag, missing value): the one class for every Gangway
 * program (`gangway`, `gangway-hugo`), which print it with a pointer to their help and
 * exit with code 2. Not a GangwayError: nothing went wrong with a share, the user typed
 * something the program does not take.
 */
export class UsageError extends Error {
  override name = 'UsageError'
}
