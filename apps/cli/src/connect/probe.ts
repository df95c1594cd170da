/**
 * Asks `<url>/health` whether a t3chat server answers there. Never throws: a refused
 * connection, a timeout or anything that is not a healthy t3chat answer is `false`.
 */
export async function probeServer(url: string, timeoutMs = 1_500): Promise<boolean> {
  try {
    const response = await fetch(`${url.replace(/\/+$/, '')}/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok) return false
    const body: unknown = await response.json()
    return isHealthy(body)
  } catch {
    return false
  }
}

function isHealthy(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('result' in body)) return false
  const result = body.result
  if (typeof result !== 'object' || result === null || !('data' in result)) return false
  const data = result.data
  return typeof data === 'object' && data !== null && 'status' in data && data.status === 'ok'
}
