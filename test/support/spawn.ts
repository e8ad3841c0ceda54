/**
 * The one way test infrastructure (the stand-in, the repo builders, the benchmark) runs a command and collects its
 * output: an argument array (never a shell), optional stdin, stdout kept as bytes (packs and `-z` output are binary).
 * Production code has its own wrapper, src/git.ts, so the bundle depends on nothing here.
 */
import { spawn } from 'node:child_process'

export interface Collected {
  code: number
  stdout: Buffer
  stderr: string
}

export function spawnCollect(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string | Buffer } = {}
): Promise<Collected> {
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
