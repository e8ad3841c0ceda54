/** How one API call is sent and treats GitHub's failures: the ones that are answers, and a 404 with its own message. */
import type { UserError } from '../errors.js'
import { explain, FORK_SIDE, isRequestError, type RequestErrorLike, type RequestSide } from './errors.js'

/** What an `expected` handler returns for a failure it does not settle. */
export const UNEXPECTED: unique symbol = Symbol('unexpected')

export interface CallOptions<T> {
  /** Settles the failures that are answers (return a value) or says why more precisely (throw); UNEXPECTED otherwise. */
  expected?: (error: RequestErrorLike) => T | typeof UNEXPECTED | Promise<T | typeof UNEXPECTED>
  /** The error for a 404 that `expected` did not settle, where "not found" deserves its own message. */
  notFound?: () => UserError
}

/** Failures with `status` are given to `answer`; every other failure is reported. */
export function onStatus<T>(status: number, answer: NonNullable<CallOptions<T>['expected']>): CallOptions<T> {
  return { expected: (error) => (error.status === status ? answer(error) : UNEXPECTED) }
}

/**
 * Sends one request. `action` says what was being done ("open the sync PR"), for the message of a failure that is
 * neither expected nor a 404 with its own message; `side` says whose token and address it used, for the fix.
 */
export async function callGitHub<T>(action: string, send: () => Promise<T>, options: CallOptions<T> = {}, side: RequestSide = FORK_SIDE): Promise<T> {
  let failure: unknown
  try {
    return await send()
  } catch (error) {
    failure = error
  }
  if (isRequestError(failure)) {
    const answer = options.expected ? await options.expected(failure) : UNEXPECTED
    if (answer !== UNEXPECTED) return answer
    if (failure.status === 404 && options.notFound) throw options.notFound()
  }
  throw explain(failure, action, side)
}
