/**
 * The one way test infrastructure (the stand-in, the repo builders, the benchmark) runs a command and collects its
 * output: an argument array (never a shell), optional stdin, stdout kept as bytes (packs and `-z` output are binary).
 * Production code has its own wrapper, src/git.ts, so the bundle depends on nothing here.
 *
 * The commands are started by a small helper process, not by the test process itself: starting a process copies the
 * memory map of the process that starts it, and a Jest worker holding the action, the stand-in and the test modules
 * pays several milliseconds per process, on its one thread, where the helper pays a fraction of that beside it. The
 * stand-in runs hundreds of git commands per test file. `UPSTREAM_SYNC_TEST_SPAWN=direct` starts them directly.
 */
import { spawn, type ChildProcess } from 'node:child_process'

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

/** The helper: runs each request as spawnDirect does and answers with the same record (or the spawn error). */
const HELPER_SOURCE = `
const { spawn } = require('node:child_process')
process.on('message', (m) => {
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
      if (this.pending.size === 0) this.channel()?.ref()
      if (this.idle) realClearTimeout(this.idle)
      this.idle = undefined
      this.pending.set(id, { resolve, reject })
      this.child.send({ id, command, args: [...args], cwd: options.cwd ?? process.cwd(), env: options.env ?? { ...process.env }, input: options.input ?? '' })
    })
  }

  private channel(): { ref(): void; unref(): void } | undefined {
    return (this.child as unknown as { channel?: { ref(): void; unref(): void } }).channel ?? undefined
  }

  private answer(reply: Reply): void {
    const request = this.pending.get(reply.id)
    if (!request) return
    this.pending.delete(reply.id)
    if (reply.error) {
      request.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}))
    } else {
      const bytes = reply.stdout ?? new Uint8Array()
      request.resolve({ code: reply.code ?? 128, stdout: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), stderr: reply.stderr ?? '' })
    }
    if (this.pending.size === 0) {
      this.channel()?.unref()
      this.idle = realSetTimeout(() => this.close(), IDLE_MS)
      this.idle.unref?.()
    }
  }

  private close(): void {
    if (this.pending.size > 0 || this.stopped) return
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
  }
}

let current: Helper | undefined

function helper(): Helper {
  if (!current || current.stopped) current = new Helper()
  return current
}
