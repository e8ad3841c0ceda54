/** A problem with what the user configured (an input, the config file, a template): the message names it and the fix. */
export class InputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputError'
  }
}
