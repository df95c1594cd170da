import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

/**
 * Encrypts users' provider keys at rest: AES-256-GCM with a random 12-byte IV per value, the
 * user's id as additional data (a sealed key copied to another user's row does not open), and
 * the format `v1.<iv>.<tag>.<ciphertext>` (base64url). Only the server's encryption key
 * (`T3CHAT_ENCRYPTION_KEY`, 32 bytes) opens them.
 */
export interface SecretBox {
  seal(plain: string, userId: string): string
  /** The plain text, or null when the value does not open with this key (rotated, tampered). */
  open(sealed: string, userId: string): string | null
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error('the encryption key must be 32 bytes')
  const k = Buffer.from(key)
  return {
    seal(plain, userId) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', k, iv)
      cipher.setAAD(Buffer.from(userId))
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return ['v1', iv, tag, data]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.')
    },
    open(sealed, userId) {
      const [version, iv, tag, data] = sealed.split('.')
      if (version !== 'v1' || iv === undefined || tag === undefined || data === undefined)
        return null
      try {
        const decipher = createDecipheriv('aes-256-gcm', k, Buffer.from(iv, 'base64url'))
        decipher.setAAD(Buffer.from(userId))
        decipher.setAuthTag(Buffer.from(tag, 'base64url'))
        return Buffer.concat([
          decipher.update(Buffer.from(data, 'base64url')),
          decipher.final(),
        ]).toString('utf8')
      } catch {
        return null
      }
    },
  }
}
