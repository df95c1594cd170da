export { parseEnv, EnvError, type Env } from './env'
export { startServer, StartupError, type RunningServer } from './server'
