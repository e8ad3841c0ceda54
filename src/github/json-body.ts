/**
 * Response bodies read with the runtime's own `JSON.parse`. Octokit's request (v10) parses every JSON body with
 * json-with-bigint, which first rewrites the text with a regular expression and then revives every value: on node 20
 * it took 11–19 ms for the 963 tag refs of the benchmark's upstream against 1.2 ms for `JSON.parse` (measured on the
 * benchmark machine), and a sync run reads several bodies that size (tags, a compare with its files, releases), one
 * after another on the way to its merge. GitHub's REST numbers (ids, counts, sizes) are far below 2^53, where
 * `JSON.parse` stays exact, so the big-integer support buys nothing here.
 *
 * How: every request asks Octokit for the raw body (`parseSuccessResponseBody: false`, its documented option) unless
 * the caller chose, and the body is then read as Octokit would, JSON by `JSON.parse`. Error bodies are still Octokit's
 * (it parses them before throwing; they are small).
 */
import type { getOctokit } from '@actions/github'
import { Response } from 'undici'

type Octokit = ReturnType<typeof getOctokit>

/** The body Octokit would have given: JSON parsed, text as text, anything else as bytes (its getResponseData). */
export async function readBody(body: ReadableStream<Uint8Array> | null, contentType: string | undefined): Promise<unknown> {
  // undici's Response, from the copy Octokit's requests use: node's global one would load a second copy of undici.
  const response = new Response(body)
  if (!contentType) return response.text().catch(() => undefined)
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase())
  if (type === 'application/json' || type === 'application/scim+json') {
    const text = await response.text()
    try {
      return JSON.parse(text) as unknown
    } catch {
      return text
    }
  }
  const utf8 = parameters.some((parameter) => parameter.replace(/\s/g, '') === 'charset=utf-8' || parameter.replace(/\s/g, '') === 'charset="utf-8"')
  if (type.startsWith('text/') || (utf8 && type !== 'application/octet-stream')) return response.text().catch(() => undefined)
  return response.arrayBuffer().catch(() => new ArrayBuffer(0))
}

/** Makes `octokit` read successful response bodies with `JSON.parse` (see above). */
export function parseBodiesNatively(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.wrap('request', async (request, options) => {
    const own = options.request?.parseSuccessResponseBody === undefined
    if (own) options.request = { ...options.request, parseSuccessResponseBody: false }
    const response = await request(options)
    if (!own) return response
    const data: unknown = response.data
    // 204, 205 and HEAD answers carry no body: Octokit leaves `data` empty for them whatever the option says.
    if (data === '' || data === undefined) return response
    return { ...response, data: await readBody(data as ReadableStream<Uint8Array> | null, response.headers['content-type']) }
  })
}
