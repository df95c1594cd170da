import { connect, createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/** A loopback TCP proxy whose connections a test can cut, like a network that drops. */
export interface TcpProxy {
  /** `http://127.0.0.1:PORT`: point a client here instead of at the server. */
  url: string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Destroys every open connection (both sides) without a close handshake. */
  cut(): void
  close(): Promise<void>
}

/** Starts a proxy on 127.0.0.1 forwarding every connection to `target` (a URL's port). */
export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target)
  const pairs = new Set<[Socket, Socket]>()
  let accepted = 0
  const server = createServer((client) => {
    accepted++
    const upstream = connect({ host: hostname, port: Number(port) })
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    get accepted() {
      return accepted
    },
    cut() {
      for (const [client, upstream] of pairs) {
        client.resetAndDestroy()
        upstream.destroy()
      }
      pairs.clear()
    },
    close() {
      for (const [client, upstream] of pairs) {
        client.destroy()
        upstream.destroy()
      }
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
