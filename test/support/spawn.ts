/**
 * The one way test infrastructure (the stand-in, the repo builders, the benchmark) runs a command and collects its
 * output: an argument array (never a shell), optional stdin, stdout kept as bytes (packs and `-z` output are binary).
 * Production code has its own wrapper, src/git/process.ts, so the bundle depends on nothing here.
 *
 * The commands are started by a small helper process, not by the test process itself: starting a process copies the
 * memory map of the process that starts it, and a Jest worker holding the action, the stand-in and the test modules
 * pays several milliseconds per process, on its one thread, where the helper pays a fraction of that beside it. The
 * stand-in runs hundreds of git commands per test file. `UPSTREAM_SYNC_TEST_SPAWN=direct` starts them directly.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { EventEmitter, once } from 'node:events'
import { PassThrough, Writable } from 'node:stream'

export interface Collected {
  code: number
  stdout: Buffer
  stderr: string
}

export interface CollectOptions {
  cwd?: string
  env?: NodeJS.ProcessEnv
  input?: string | Buffer
}

export function spawnCollect(command: string, args: readonly string[], options: CollectOptions = {}): Promise<Collected> {
  return process.env.UPSTREAM_SYNC_TEST_SPAWN === 'direct' ? spawnDirect(command, args, options) : helper().run(command, args, options)
}

function spawnDirect(command: string, args: readonly string[], options: CollectOptions): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }))
    child.stdin.on('error', () => undefined) // the command may exit before reading all its input
    child.stdin.end(options.input ?? '')
  })
}

/** What a streaming command offers: ChildProcess's pipes and events, as git http-backend is driven. */
export interface StreamingChild extends EventEmitter {
  stdin: Writable
  stdout: NodeJS.ReadableStream & PassThrough
  stderr: NodeJS.ReadableStream & PassThrough
  kill(signal?: NodeJS.Signals): boolean
}

/**
 * Starts a command whose stdin and stdout are streamed (git http-backend behind the stand-in's HTTP server): a
 * ChildProcess, or with the helper a stand-in for one with the same pipes and 'close' / 'error' events.
 */
export function spawnStreaming(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): StreamingChild {
  if (process.env.UPSTREAM_SYNC_TEST_SPAWN === 'direct') {
    return spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] }) as unknown as StreamingChild
  }
  return helper().stream(command, args, options)
}

/**
 * The helper: runs each request as spawnDirect does and answers with the same record (or the spawn error); a
 * request with `op` is a streaming command (start, stdin chunks, end of stdin, kill; answered by stdout and stderr
 * chunks, then close or error).
 */
const HELPER_SOURCE = `
const { spawn } = require('node:child_process')
const streams = new Map()
const failure = (error) => ({ message: error.message, code: error.code })
process.on('message', (m) => {
  if (m.op === 'start') {
    let child
    try {
      child = spawn(m.command, m.args, { cwd: m.cwd, env: m.env, stdio: ['pipe', 'pipe', 'pipe'] })
    } catch (error) {
      return process.send({ id: m.id, op: 'error', error: failure(error) })
    }
    streams.set(m.id, child)
    child.stdout.on('data', (data) => process.send({ id: m.id, op: 'out', data }))
    child.stderr.on('data', (data) => process.send({ id: m.id, op: 'err', data }))
    child.on('error', (error) => { streams.delete(m.id); process.send({ id: m.id, op: 'error', error: failure(error) }) })
    child.on('close', (code, signal) => { streams.delete(m.id); process.send({ id: m.id, op: 'close', code, signal }) })
    child.stdin.on('error', () => undefined)
    return
  }
  if (m.op === 'in') return void streams.get(m.id)?.stdin.write(m.data)
  if (m.op === 'end') return void streams.get(m.id)?.stdin.end()
  if (m.op === 'kill') return void streams.get(m.id)?.kill(m.signal)
  let answered = false
  const answer = (reply) => { if (!answered) { answered = true; process.send({ id: m.id, ...reply }) } }
  let child
  try {
    child = spawn(m.command, m.args, { cwd: m.cwd, env: m.env, stdio: ['pipe', 'pipe', 'pipe'] })
  } catch (error) {
    return answer({ error: { message: error.message, code: error.code } })
  }
  const out = []
  const err = []
  child.stdout.on('data', (chunk) => out.push(chunk))
  child.stderr.on('data', (chunk) => err.push(chunk))
  child.on('error', (error) => answer({ error: { message: error.message, code: error.code } }))
  child.on('close', (code) => answer({ code: code ?? 128, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }))
  child.stdin.on('error', () => undefined)
  child.stdin.end(m.input ?? '')
})
process.on('disconnect', () => process.exit(0))
`

interface Reply {
  id: number
  op?: 'out' | 'err' | 'close' | 'error'
  data?: Uint8Array
  signal?: NodeJS.Signals | null
  code?: number
  stdout?: Uint8Array
  stderr?: string
  error?: { message: string; code?: string }
}

interface Pending {
  resolve(collected: Collected): void
  reject(error: Error): void
}

/** Timers as they were when this module loaded: a test's fake timers must not keep the helper alive or stop it. */
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

/** The helper stops after this long without a request, so a finished test file leaves no process behind. */
const IDLE_MS = 1000

class Helper {
  private readonly child: ChildProcess
  private readonly pending = new Map<number, Pending>()
  private readonly streams = new Map<number, (reply: Reply) => void>()
  private nextId = 1
  private idle: ReturnType<typeof setTimeout> | undefined
  stopped = false

  constructor() {
    const env: NodeJS.ProcessEnv = { ...process.env }
    delete env.NODE_OPTIONS
    this.child = spawn(process.execPath, ['-e', HELPER_SOURCE], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced', env })
    this.child.unref()
    this.channel()?.unref()
    this.child.on('message', (reply: Reply) => this.answer(reply))
    this.child.on('error', (error) => this.stop(error))
    this.child.on('exit', (code, signal) => this.stop(new Error(`the spawn helper exited (${signal ?? code}) with commands running`)))
  }

  run(command: string, args: readonly string[], options: CollectOptions): Promise<Collected> {
    return new Promise((resolve, reject) => {
      const id = this.nextId++
      this.busy()
      this.pending.set(id, { resolve, reject })
      this.child.send({ id, command, args: [...args], cwd: options.cwd ?? process.cwd(), env: options.env ?? { ...process.env }, input: options.input ?? '' })
    })
  }

  stream(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }): StreamingChild {
    const id = this.nextId++
    const send = (message: Record<string, unknown>): void => {
      if (!this.stopped) this.child.send({ id, ...message })
    }
    const stdin = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        send({ op: 'in', data: chunk })
        callback()
      },
      final(callback) {
        send({ op: 'end' })
        callback()
      }
    })
    const remote = Object.assign(new EventEmitter(), {
      stdin,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      kill: (signal: NodeJS.Signals = 'SIGTERM'): boolean => {
        send({ op: 'kill', signal })
        return true
      }
    }) as StreamingChild
    const bytes = (data: Uint8Array | undefined): Buffer => (data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.alloc(0))
    this.busy()
    this.streams.set(id, (reply) => {
      if (reply.op === 'out') remote.stdout.write(bytes(reply.data))
      else if (reply.op === 'err') remote.stderr.write(bytes(reply.data))
      else {
        this.streams.delete(id)
        this.settled()
        remote.stdout.end()
        remote.stderr.end()
        if (reply.op === 'error') {
          remote.emit('error', Object.assign(new Error(reply.error?.message ?? 'spawn failed'), reply.error?.code ? { code: reply.error.code } : {}))
          return
        }
        // Like a ChildProcess: 'close' once everything the command wrote has been read.
        const drained = [remote.stdout, remote.stderr].map((pipe) => {
          if (pipe.readableEnded) return Promise.resolve()
          if (pipe.readableFlowing === null) pipe.resume()
          return once(pipe, 'end').then(() => undefined)
        })
        void Promise.all(drained).then(() => remote.emit('close', reply.code ?? null, reply.signal ?? null))
      }
    })
    this.child.send({ id, op: 'start', command, args: [...args], cwd: options.cwd ?? process.cwd(), env: options.env ?? { ...process.env } })
    return remote
  }

  private busy(): void {
    if (this.pending.size === 0 && this.streams.size === 0) this.channel()?.ref()
    if (this.idle) realClearTimeout(this.idle)
    this.idle = undefined
  }

  private settled(): void {
    if (this.pending.size > 0 || this.streams.size > 0) return
    this.channel()?.unref()
    this.idle = realSetTimeout(() => this.close(), IDLE_MS)
    this.idle.unref?.()
  }

  private channel(): { ref(): void; unref(): void } | undefined {
    return (this.child as unknown as { channel?: { ref(): void; unref(): void } }).channel ?? undefined
  }

  private answer(reply: Reply): void {
    const stream = this.streams.get(reply.id)
    if (stream) return stream(reply)
    const request = this.pending.get(reply.id)
    if (!request) return
    this.pending.delete(reply.id)
    if (reply.error) {
      request.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}))
    } else {
      const bytes = reply.stdout ?? new Uint8Array()
      request.resolve({ code: reply.code ?? 128, stdout: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), stderr: reply.stderr ?? '' })
    }
    this.settled()
  }

  private close(): void {
    if (this.pending.size > 0 || this.streams.size > 0 || this.stopped) return
    this.stopped = true
    if (current === this) current = undefined
    this.child.disconnect()
  }

  private stop(error: Error): void {
    this.stopped = true
    if (current === this) current = undefined
    if (this.idle) realClearTimeout(this.idle)
    for (const request of this.pending.values()) request.reject(error)
    this.pending.clear()
    for (const stream of [...this.streams.values()]) stream({ id: 0, op: 'error', error: { message: error.message } })
    this.streams.clear()
  }
}

let current: Helper | undefined

function helper(): Helper {
  if (!current || current.stopped) current = new Helper()
  return current
}
