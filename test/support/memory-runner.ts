/**
 * The in-memory Runner: what `run()` needs from a GitHub Actions runner, recorded so tests read outputs, the job
 * summary, annotations and log lines the way a workflow would see them, without spawning the bundle. The log holds
 * the same workflow commands @actions/core prints (`::debug::`, `::group::`, `::add-mask::`, `::warning file=…::`), so
 * a test reads it as it would read the bundled action's stdout. Nothing is printed: test output stays quiet.
 */
import type { AnnotationProperties, Runner } from '../../src/runner.js'

export interface RecordedAnnotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  properties: Record<string, string>
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export class MemoryRunner implements Runner {
  readonly outputs: Record<string, string> = {}
  readonly annotations: RecordedAnnotation[] = []
  readonly secrets: string[] = []
  readonly lines: string[] = []
  summary = ''
  failed?: string

  private readonly debugOn: boolean

  /** @param env the runner's environment; RUNNER_DEBUG=1 turns debug lines on, as on a runner. */
  constructor(readonly env: Readonly<Record<string, string | undefined>> = {}) {
    this.debugOn = env.RUNNER_DEBUG === '1'
  }

  input(name: string): string {
    return this.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? ''
  }
  setSecret(value: string): void {
    this.secrets.push(value)
    this.lines.push(`::add-mask::${value}`)
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value
  }
  debug(message: string): void {
    if (this.debugOn) this.lines.push(`::debug::${message}`)
  }
  info(message: string): void {
    this.lines.push(message)
  }
  warning(message: string, properties?: AnnotationProperties): void {
    this.annotate('warning', message, properties)
  }
  error(message: string, properties?: AnnotationProperties): void {
    this.annotate('error', message, properties)
  }
  isDebug(): boolean {
    return this.debugOn
  }
  setFailed(message: string): void {
    this.failed = message
    this.annotate('error', message)
  }
  async appendSummary(markdown: string): Promise<void> {
    this.summary += markdown
  }
  async group<T>(name: string, work: () => Promise<T>): Promise<T> {
    this.lines.push(`::group::${name}`)
    try {
      return await work()
    } finally {
      this.lines.push('::endgroup::')
    }
  }
  /** The log as a runner prints it, for assertions on wording. */
  get log(): string {
    return this.lines.join('\n')
  }
  /** 1 when the run failed, as the bundled action's exit code. */
  get exitCode(): number {
    return this.failed === undefined ? 0 : 1
  }

  private annotate(level: RecordedAnnotation['level'], message: string, properties: AnnotationProperties = {}): void {
    const props: Record<string, string> = {}
    for (const [key, value] of Object.entries(properties)) if (value !== undefined) props[key] = String(value)
    this.annotations.push({ level, message, properties: props })
    // Escaped as @actions/core escapes workflow commands, so a multi-line message stays one command line.
    const list = Object.entries(props)
      .map(([key, value]) => `${key}=${escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C')}`)
      .join(',')
    this.lines.push(`::${level}${list ? ` ${list}` : ''}::${escapeData(message)}`)
  }
}
