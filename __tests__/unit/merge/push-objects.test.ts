/**
 * The merge runs while the push's objects arrive (merge/fetch.ts): the step ends only when both have settled, so
 * nothing is still writing into the work repository when the run goes on or removes it, and either failure fails it.
 */
import { describe, expect, it } from '@jest/globals'
import { whilePushObjectsArrive } from '../../../src/merge/fetch.js'

/** A promise settled by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const stats = { objects: 3, kib: 1, ms: 2 }

describe('whilePushObjectsArrive', () => {
  it("returns the merge's result once the push's objects have arrived too", async () => {
    const arriving = deferred<typeof stats>()
    let settled = false
    const joined = whilePushObjectsArrive({ pushObjects: arriving.promise }, async () => 'merged').then((value) => {
      settled = true
      return value
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false) // the merge is done, the fetch is not
    arriving.resolve(stats)
    await expect(joined).resolves.toBe('merged')
  })

  it("fails with the merge's error, but only after the fetch has settled", async () => {
    const arriving = deferred<typeof stats>()
    let settled = false
    const joined = whilePushObjectsArrive({ pushObjects: arriving.promise }, () => Promise.reject(new Error('merge failed'))).finally(() => {
      settled = true
    })
    joined.catch(() => undefined)
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    arriving.resolve(stats)
    await expect(joined).rejects.toThrow('merge failed')
  })

  it("fails with the fetch's error when the merge succeeded", async () => {
    const failed = Promise.reject(new Error('fetch of the blobs failed'))
    failed.catch(() => undefined)
    await expect(whilePushObjectsArrive({ pushObjects: failed }, async () => 'merged')).rejects.toThrow('fetch of the blobs failed')
  })
})
