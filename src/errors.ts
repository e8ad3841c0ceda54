/**
 * The action's one error model. Every failure a user can act on is a `UserError` with a kind and, where one exists,
 * the fix; `run()` branches on the kind (what to say, whether the next scheduled run will likely repair it) and never
 * parses message text. Anything that is not a UserError is a bug or an unforeseen failure and is reported as such.
 */

/**
 * - `input`: an action input (named in the message) is wrong; nothing ran.
 * - `config`: the fork's config file or PR template is wrong.
 * - `permission`: the token may not do something the run needs; the fix names the permission.
 * - `transient`: GitHub or the network failed in a way a later run usually does not.
 * - `environment`: the runner itself cannot run the action (git too old, no temp folder).
 * - `upstream`: upstream's data cannot be synced as it is (a tag that makes no valid branch name).
 * - `conflict`: another writer got there first (a sync branch moved under the run); the next run settles it.
 */
export type ErrorKind = 'input' | 'config' | 'permission' | 'transient' | 'environment' | 'upstream' | 'conflict'

export class UserError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** What the user should do, when the message alone does not say it. */
    readonly fix?: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = 'UserError'
  }
}

/** A problem with an action input: the message names the input and says how to fix it. */
export function inputError(message: string): UserError {
  return new UserError('input', message)
}

/** A problem with the fork's config file or template. */
export function configError(message: string): UserError {
  return new UserError('config', message)
}

export function isUserError(error: unknown, kind?: ErrorKind): error is UserError {
  return error instanceof UserError && (kind === undefined || error.kind === kind)
}

/** The message of anything thrown, with the fix appended when the error carries one. */
export function describeError(error: unknown): string {
  if (error instanceof UserError) return error.fix && !error.message.includes(error.fix) ? `${error.message} ${error.fix}` : error.message
  return error instanceof Error ? error.message : String(error)
}
