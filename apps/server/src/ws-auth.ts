import { bearerToken, type TokenVerifier } from '@t3chat/auth'
import type { WebSocket, WebSocketServer } from 'ws'

/** Close code for a WebSocket that never authenticated (an application code, 4000–4999). */
export const WS_UNAUTHENTICATED = 4401

/**
 * Closes every WebSocket that has not presented a valid token within `timeoutMs` of
 * connecting. Returns the hook the tRPC context calls with the connection's token.
 */
export function closeUnauthenticated(wss: WebSocketServer, timeoutMs: number) {
  const verified = new WeakSet<WebSocket>()
  wss.on('connection', (socket) => {
    const timer = setTimeout(() => {
      if (!verified.has(socket)) socket.close(WS_UNAUTHENTICATED, 'authenticate first')
    }, timeoutMs)
    socket.once('close', () => clearTimeout(timer))
  })
  return (socket: WebSocket, authorization: string | null, verifier: TokenVerifier): void => {
    let token: string
    try {
      token = bearerToken(authorization)
    } catch {
      return // malformed: the timer closes the connection
    }
    verifier.verify(token).then(
      () => verified.add(socket),
      // A bad token: the timer closes the connection.
      () => undefined,
    )
  }
}
