/**
 * Git smart HTTP through the real `git http-backend` CGI, with byte accounting and GitHub-style push refusals.
 *
 * Bodies are streamed both ways (a 30k-commit pack never sits in memory). Request bodies that the client gzipped are
 * decoded here, so traffic is counted both as sent on the wire and as git data, and http-backend never needs to
 * buffer them.
 */
import { spawnCollect, spawnStreaming } from '../support/spawn.js'
import { constants as fsConstants, promises as fs } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import { Readable, Transform, Writable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { cleanGitEnv, forkNetwork, type RepoLocation } from './git.js'
import { RefAnswers } from './refs-state.js'
import type { FaultRecord, StandInState } from './state.js'
import type { PushCommand } from './workflow-guard.js'

/**
 * Configuration every served repository gets, through GIT_CONFIG_COUNT on the backend process (the repositories'
 * own config files are never edited): pushes over HTTP without REMOTE_USER checks, partial clone with lazy fetches
 * of missing blobs (which ask for objects by id), push options, and no auto-gc pauses in the middle of a benchmark.
 */
const BACKEND_CONFIG: [string, string][] = [
  ['http.receivepack', 'true'],
  ['http.uploadpack', 'true'],
  ['uploadpack.allowFilter', 'true'],
  ['uploadpack.allowAnySHA1InWant', 'true'],
  ['uploadpack.allowReachableSHA1InWant', 'true'],
  ['uploadpack.allowTipSHA1InWant', 'true'],
  ['receive.advertisePushOptions', 'true'],
  ['receive.autogc', 'false'],
  ['gc.auto', '0'],
  ['safe.directory', '*']
]

function configEnv(): Record<string, string> {
  const env: Record<string, string> = { GIT_CONFIG_COUNT: String(BACKEND_CONFIG.length) }
  BACKEND_CONFIG.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key
    env[`GIT_CONFIG_VALUE_${i}`] = value
  })
  return env
}

/** Counts the bytes flowing through a stream. */
class ByteCounter extends Transform {
  bytes = 0
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    callback(null, chunk)
  }
}

export interface GitRequest {
  req: IncomingMessage
  res: ServerResponse
  repo: RepoLocation
  /** What follows `OWNER/NAME.git/`: `info/refs`, `git-upload-pack`, `git-receive-pack`, ... */
  subPath: string
  query: string
  /** The basic-auth user name, for REMOTE_USER. */
  user?: string
  remoteAddress: string
  /**
   * Inspects a push before it is applied (the permission model's workflow rule): the push's commands and its pack;
   * a reason refuses every ref with it, the way GitHub refuses a push. The push body is buffered for it.
   */
  screen?: (commands: PushCommand[], pack: Buffer) => Promise<string | undefined>
}

/** True for requests that belong to a push (the receive-pack advertisement and the push itself). */
function isPushRequest(subPath: string, query: string): boolean {
  return subPath === 'git-receive-pack' || (subPath === 'info/refs' && new URLSearchParams(query).get('service') === 'git-receive-pack')
}

/** Serves one git request; resolves to the HTTP status sent once the response is complete. */
export async function serveGit(state: StandInState, request: GitRequest, refusal?: FaultRecord): Promise<number> {
  const { req, res, repo } = request
  const push = isPushRequest(request.subPath, request.query)
  const isPost = req.method === 'POST'
  state.countTraffic(repo.fullName, {
    requests: 1,
    fetches: isPost && request.subPath === 'git-upload-pack' ? 1 : 0,
    pushes: isPost && request.subPath === 'git-receive-pack' ? 1 : 0
  })

  const wire = new ByteCounter()
  const decoded = new ByteCounter()
  const encoding = (req.headers['content-encoding'] ?? '').toLowerCase()
  const gzipped = encoding === 'gzip' || encoding === 'x-gzip'
  const countRequest = (): void => {
    state.countTraffic(repo.fullName, {
      receivedBytes: wire.bytes,
      pushBytes: push && isPost ? decoded.bytes : 0,
      pushWireBytes: push && isPost ? wire.bytes : 0
    })
  }
  const countResponse = (bytes: number): void => {
    state.countTraffic(repo.fullName, { sentBytes: bytes, fetchBytes: push ? 0 : bytes })
  }

  if (refusal) {
    const status = await refusePush(req, res, gzipped, wire, decoded, refusal.message ?? 'push declined', countResponse)
    countRequest()
    return status
  }

  // A screened push is read whole first, and so is a small upload-pack request (it may be an ls-refs); the backend
  // then gets the decoded bytes.
  let body: Buffer | undefined
  const readBody = async (): Promise<Buffer> => {
    const chunks: Buffer[] = []
    const collect = new Writable({
      write(chunk: Buffer, _encoding, callback): void {
        chunks.push(chunk)
        callback()
      }
    })
    await pipeline([req, wire, ...(gzipped ? [createGunzip()] : []), decoded, collect])
    return Buffer.concat(chunks)
  }
  if (isPost && request.subPath === 'git-upload-pack' && Number(req.headers['content-length'] ?? Infinity) <= SMALL_REQUEST) {
    body = await readBody()
  }
  // An answer that depends only on the refs is replayed while they are unchanged (see refs-state.ts).
  const question = refsOnlyQuestion(req, request, body)
  const asked = question === undefined ? {} : refsOnlyAnswers.known(repo.gitDir, question)
  if (asked.value) {
    res.writeHead(asked.value.status, asked.value.headers)
    res.end(asked.value.body)
    countResponse(asked.value.body.length)
    countRequest()
    state.countTraffic(repo.fullName, { replayed: 1 })
    return asked.value.status
  }
  if (isPost && request.subPath === 'git-receive-pack' && request.screen) {
    body = await readBody()
    const parsed = parseCommands(body)
    const reason = parsed ? await request.screen(parsed.commands, body.subarray(parsed.end)) : undefined
    if (parsed && reason !== undefined) {
      const status = answerRefusal(res, parsed.commands.map((c) => c.ref), parsed.capabilities, reason, countResponse)
      countRequest()
      return status
    }
  }

  const env = cleanGitEnv({
    ...configEnv(),
    // gitDir is ROOT/OWNER/NAME.git, so the project root is two levels up.
    GIT_PROJECT_ROOT: path.dirname(path.dirname(repo.gitDir)),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${repo.owner}/${repo.name}.git/${request.subPath}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: request.query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: request.remoteAddress,
    REMOTE_USER: request.user ?? '',
    SERVER_PROTOCOL: 'HTTP/1.1',
    // Fetch negotiations of big histories can exceed http-backend's default 10 MB input buffer.
    GIT_HTTP_MAX_REQUEST_BUFFER: '200M'
  })
  // A fork reads its network's objects, as on GitHub: fetches by id and push negotiation find them.
  const { objectDirs } = await forkNetwork(path.dirname(path.dirname(repo.gitDir)), repo)
  if (objectDirs.length > 0) env.GIT_ALTERNATE_OBJECT_DIRECTORIES = objectDirs.join(path.delimiter)
  const protocol = req.headers['git-protocol']
  if (typeof protocol === 'string') {
    env.GIT_PROTOCOL = protocol
    env.HTTP_GIT_PROTOCOL = protocol
  }
  // With a gzipped body the decoded length is unknown: http-backend then reads its input to the end.
  const length = req.headers['content-length']
  if (body !== undefined) env.CONTENT_LENGTH = String(body.length)
  else if (!gzipped && length !== undefined) env.CONTENT_LENGTH = length

  const [command = 'git', ...args] = await backendCommand()
  const child = spawnStreaming(command, args, { env })
  const answer: { headers?: Record<string, string>; chunks: Buffer[] } | undefined = asked.state === undefined ? undefined : { chunks: [] }
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 8192) stderr += chunk.toString('utf8')
  })
  res.on('close', () => {
    if (!res.writableFinished) child.kill('SIGTERM')
  })

  const input =
    body !== undefined
      ? pipeline(Readable.from([body]), child.stdin)
      : isPost
        ? pipeline([req, wire, ...(gzipped ? [createGunzip()] : []), decoded, child.stdin])
        : Promise.resolve(child.stdin.end())
  // The backend may stop reading early (a bad request it answers at once); its answer is what matters then.
  const inputDone = input.catch(() => undefined)

  const status = await new Promise<number>((resolve) => {
    let headerBuffer: Buffer | undefined = Buffer.alloc(0)
    let status = 200
    let sent = 0
    const finish = (): void => resolve(status)
    child.stdout.on('data', (chunk: Buffer) => {
      if (headerBuffer !== undefined) {
        headerBuffer = Buffer.concat([headerBuffer, chunk])
        const parsed = parseCgiHeaders(headerBuffer)
        if (!parsed) return
        headerBuffer = undefined
        status = parsed.status
        res.writeHead(parsed.status, parsed.headers)
        chunk = parsed.rest
        if (answer) answer.headers = parsed.headers
      }
      if (chunk.length === 0) return
      answer?.chunks.push(chunk)
      sent += chunk.length
      if (!res.write(chunk)) {
        child.stdout.pause()
        res.once('drain', () => child.stdout.resume())
      }
    })
    child.on('close', (code) => {
      countResponse(sent)
      if (headerBuffer !== undefined) {
        // The backend died before answering: report it as GitHub would, a 500 with the reason for the test log.
        status = 500
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(`git http-backend failed (exit ${code ?? 'signal'}): ${stderr.trim()}\n`)
      } else {
        res.end()
        if (answer?.headers && question !== undefined && asked.state !== undefined && code === 0 && status === 200) {
          const kept = { status, headers: answer.headers, body: Buffer.concat(answer.chunks) }
          refsOnlyAnswers.keep(repo.gitDir, question, asked.state, kept)
        }
      }
      finish()
    })
    child.on('error', (error) => {
      status = 500
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`cannot start git http-backend: ${error.message}\n`)
      finish()
    })
  })
  await inputDone
  countRequest()
  return status
}

/** Larger upload-pack requests are fetch negotiations: streamed to the backend, never kept. */
const SMALL_REQUEST = 64 * 1024

interface KeptAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

const refsOnlyAnswers = new RefAnswers<KeptAnswer>()

/**
 * The question a request asks when its answer depends only on the refs: protocol v2's capability advertisement
 * (`GET info/refs?service=git-upload-pack`, no refs in it at all) and an `ls-refs` command; undefined for the rest
 * (fetches, pushes, protocol v0 advertisements).
 */
function refsOnlyQuestion(req: IncomingMessage, request: GitRequest, body: Buffer | undefined): string | undefined {
  const protocol = req.headers['git-protocol']
  if (typeof protocol !== 'string' || !protocol.split(':').includes('version=2')) return undefined
  const service = new URLSearchParams(request.query).get('service')
  if (req.method === 'GET' && request.subPath === 'info/refs' && service === 'git-upload-pack') return `advertise\0${protocol}`
  // The first pkt-line of a v2 request names its command: `0014command=ls-refs\n`.
  if (req.method === 'POST' && request.subPath === 'git-upload-pack' && body?.subarray(4, 19).toString('latin1') === 'command=ls-refs') {
    return `ls-refs\0${protocol}\0${body.toString('latin1')}`
  }
  return undefined
}

/**
 * `git-http-backend` from git's exec path, started directly instead of through the `git` wrapper (one process fewer
 * per request); `git http-backend` when the exec path does not hold it.
 */
let backend: Promise<string[]> | undefined
function backendCommand(): Promise<string[]> {
  backend ??= spawnCollect('git', ['--exec-path'], { env: cleanGitEnv() }).then(async (result) => {
    const direct = path.join(result.stdout.toString('utf8').trim(), 'git-http-backend')
    const found = result.code === 0 && (await fs.access(direct, fsConstants.X_OK).then(() => true, () => false))
    return found ? [direct] : ['git', 'http-backend']
  })
  return backend
}

/** Splits a CGI response into status, headers and the first body bytes; undefined until the blank line arrived. */
export function parseCgiHeaders(buffer: Buffer): { status: number; headers: Record<string, string>; rest: Buffer } | undefined {
  let end = buffer.indexOf('\r\n\r\n')
  let separator = 4
  const lf = buffer.indexOf('\n\n')
  if (lf >= 0 && (end < 0 || lf < end)) {
    end = lf
    separator = 2
  }
  if (end < 0) return undefined
  const headers: Record<string, string> = {}
  let status = 200
  for (const line of buffer.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500
    else headers[name] = value
  }
  return { status, headers, rest: buffer.subarray(end + separator) }
}

/** One pkt-line: four hex digits of total length, then the payload. */
function pkt(payload: Buffer | string): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
  return Buffer.concat([Buffer.from((data.length + 4).toString(16).padStart(4, '0'), 'ascii'), data])
}

const FLUSH = Buffer.from('0000', 'ascii')

/**
 * Reads the push's commands (the pkt-lines before the pack), drains the pack without storing it, and answers with a
 * receive-pack status report that rejects every ref with `message` — exactly how GitHub refuses a push, so the
 * client prints `! [remote rejected] <ref> (<message>)` and exits non-zero. Nothing is written to the repository.
 */
async function refusePush(
  req: IncomingMessage,
  res: ServerResponse,
  gzipped: boolean,
  wire: ByteCounter,
  decoded: ByteCounter,
  message: string,
  countResponse: (bytes: number) => void
): Promise<number> {
  let head = Buffer.alloc(0)
  let commandsDone = false
  const refs: string[] = []
  let capabilities: string[] = []
  const sink = new Transform({
    transform(chunk: Buffer, _encoding, callback): void {
      if (!commandsDone && head.length < 1024 * 1024) {
        head = Buffer.concat([head, chunk])
        const parsed = parseCommands(head)
        if (parsed) {
          commandsDone = true
          refs.push(...parsed.commands.map((c) => c.ref))
          capabilities = parsed.capabilities
        }
      }
      callback()
    }
  })
  await pipeline([req, wire, ...(gzipped ? [createGunzip()] : []), decoded, sink])
  return answerRefusal(res, refs, capabilities, message, countResponse)
}

/** A receive-pack status report rejecting every ref with `message` (in the side band when the client asked for it). */
function answerRefusal(res: ServerResponse, refs: string[], capabilities: string[], message: string, countResponse: (bytes: number) => void): number {
  const reason = message.replace(/[\r\n]+/g, ' ')
  const report = Buffer.concat([pkt('unpack ok\n'), ...refs.map((ref) => pkt(`ng ${ref} ${reason}\n`)), FLUSH])
  let body = report
  if (capabilities.includes('side-band-64k') || capabilities.includes('side-band')) {
    const max = capabilities.includes('side-band-64k') ? 65515 : 995
    const parts: Buffer[] = []
    for (let i = 0; i < report.length; i += max) parts.push(pkt(Buffer.concat([Buffer.from([1]), report.subarray(i, i + max)])))
    body = Buffer.concat([...parts, FLUSH])
  }
  res.writeHead(200, { 'Content-Type': 'application/x-git-receive-pack-result', 'Cache-Control': 'no-cache, max-age=0, must-revalidate' })
  res.end(body)
  countResponse(body.length)
  return 200
}

/** With `push-options`, the options follow the commands up to a second flush-pkt; the pack starts after it. */
function skipPushOptions(buffer: Buffer, start: number): number {
  let offset = start
  while (offset + 4 <= buffer.length) {
    const length = Number.parseInt(buffer.subarray(offset, offset + 4).toString('ascii'), 16)
    if (Number.isNaN(length)) return start
    offset += length === 0 ? 4 : length
    if (length === 0) return offset
  }
  return start
}

/**
 * Parses receive-pack commands up to the first flush-pkt (`end`: where the pack starts); undefined while more bytes
 * are needed.
 */
function parseCommands(buffer: Buffer): { commands: PushCommand[]; capabilities: string[]; end: number } | undefined {
  const commands: PushCommand[] = []
  let capabilities: string[] = []
  let offset = 0
  while (offset + 4 <= buffer.length) {
    const length = Number.parseInt(buffer.subarray(offset, offset + 4).toString('ascii'), 16)
    if (Number.isNaN(length)) return { commands, capabilities, end: offset }
    if (length === 0) return { commands, capabilities, end: capabilities.includes('push-options') ? skipPushOptions(buffer, offset + 4) : offset + 4 }
    if (offset + length > buffer.length) return undefined
    let line = buffer.subarray(offset + 4, offset + length).toString('utf8')
    offset += length
    const nul = line.indexOf('\0')
    if (nul >= 0) {
      capabilities = line.slice(nul + 1).trim().split(/\s+/)
      line = line.slice(0, nul)
    }
    const [oldSha = '', newSha = '', ref] = line.trim().split(' ')
    if (ref) commands.push({ oldSha, newSha, ref })
  }
  return undefined
}
