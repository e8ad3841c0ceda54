/** How one API call treats GitHub's failures: the ones that are answers, and a 404 with its own message. */
import type { UserError } from '../errors.js'
import type { RequestErrorLike } from './errors.js'

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
