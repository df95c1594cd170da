import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

/** A TCP proxy in front of the server that a test can cut, to play a network blip. */
export interface CuttableProxy {
  url: string
  /** Destroys every open connection; with `refuseMs`, also refuses new ones for that long. */
  cut(refuseMs?: number): void
  /** Accepts new connections again after `cut(refuseMs)`. */
  allow(): void
  /**
   * Lets the next request whose bytes contain `marker` reach the server, then cuts its
   * connection instead of forwarding the response: the server did the work, the client
   * sees a network error. Resolves when that happened.
   */
  loseResponseTo(marker: string): Promise<void>
  /** Points new connections at another port (e.g. a restarted server). */
  retarget(port: number): void
  /** How many connections were cut so far. */
  readonly cuts: number
  close(): Promise<void>
}

/** Starts a proxy on 127.0.0.1 forwarding to `targetPort`. */
export async function startProxy(targetPort: number): Promise<CuttableProxy> {
  let target = targetPort
  let refuseUntil = 0
  let cuts = 0
  const pairs = new Set<[Socket, Socket]>()
  let lose: { marker: string; done: () => void } | null = null
  const server = createServer()
  server.on('connection', (client: Socket) => {
    if (Date.now() < refuseUntil) {
      client.destroy()
      return
    }
    const upstream = connect(target, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    // Forwarded by hand: a request matching `lose` gets its connection cut at the response.
    let doomed: (() => void) | null = null
    client.on('data', (chunk: Buffer) => {
      if (lose !== null && chunk.includes(lose.marker)) {
        doomed = lose.done
        lose = null
      }
      upstream.write(chunk)
    })
    upstream.on('data', (chunk: Buffer) => {
      if (doomed === null) return void client.write(chunk)
      cuts += 1
      end()
      doomed()
    })
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    cut(refuseMs = 0) {
      refuseUntil = Date.now() + refuseMs
      for (const [client, upstream] of pairs) {
        cuts += 1
        client.destroy()
        upstream.destroy()
      }
      pairs.clear()
    },
    loseResponseTo(marker) {
      return new Promise((resolve) => {
        lose = { marker, done: resolve }
      })
    },
    allow() {
      refuseUntil = 0
    },
    retarget(port) {
      target = port
    },
    get cuts() {
      return cuts
    },
    close() {
      for (const [client, upstream] of pairs) {
        client.destroy()
        upstream.destroy()
      }
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
