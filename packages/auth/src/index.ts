export {
  AuthError,
  AuthKeysUnavailableError,
  bearerToken,
  createTokenVerifier,
  type AuthConfig,
  type AuthFailureReason,
  type AuthUser,
  type TokenVerifier,
} from './verify'
export {
  defaultDataDir,
  loadOrCreateLocalAuth,
  localAuthPath,
  mintLocalToken,
  readLocalAuth,
  type LocalAuth,
} from './local'
export { LOCAL_ISSUER, isUuid } from './claims'
