import { once } from 'node:events'
import { request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Starts `server` on an ephemeral loopback port; its base URL. */
export async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/**
 * A response as it came over the wire, for comparing two servers byte for byte: the status,
 * the headers in the order sent (minus `omit`, lower-case names, e.g. the date), the body.
 */
export function rawResponse(
  url: string,
  init: {
    method?: string
    body?: string
    headers?: Record<string, string>
    omit: ReadonlySet<string>
  },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        const lines: string[] = []
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          if (!init.omit.has(res.rawHeaders[i]?.toLowerCase() ?? ''))
            lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`)
        resolve(`${res.statusCode}\n${lines.join('\n')}\n\n${body}`)
      })
    })
    req.on('error', reject)
    req.end(init.body)
  })
}
