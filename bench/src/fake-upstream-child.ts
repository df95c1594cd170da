// Child process: the fake OpenRouter upstream, alone in its process so its CPU is its own.
import { startFakeUpstream } from '@t3chat/llm/fake'

const fake = await startFakeUpstream({ port: 0, recordRequests: false })
process.send?.({ type: 'ready', baseURL: fake.baseURL })

let closing = false
function close(): void {
  if (closing) return
  closing = true
  void fake.close().finally(() => process.exit(0))
}
process.on('disconnect', close)
process.on('SIGTERM', close)
process.on('SIGINT', close)
