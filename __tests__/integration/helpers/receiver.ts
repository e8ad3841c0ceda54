/** A local HTTP receiver standing in for Slack and a webhook consumer, shared by the integration tests. */
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received {
  path: string
  body: Record<string, unknown>
}

/** A local HTTP receiver standing in for Slack and a webhook consumer; `failWith` makes it answer an error. */
export async function startReceiver(): Promise<{ url: string; received: Received[]; failWith?: number; close(): Promise<void> }> {
  const receiver = {
    url: '',
    received: [] as Received[],
    failWith: undefined as number | undefined,
    close: async () => undefined as void
  }
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      receiver.received.push({ path: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') })
      response.writeHead(receiver.failWith ?? 200, { 'content-type': 'text/plain' })
      response.end(receiver.failWith ? 'no_service' : 'ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return receiver
}
