/**
 * A fake OpenRouter upstream (a real HTTP server on 127.0.0.1) for tests, the benchmark and
 * offline demos. Behaviour is chosen by the model id, `slug[:k=v,k=v]`:
 *
 * - any id not starting with `fake/`, and `fake/lorem`: `tokens` (12), `delay` ms (0), `first` ms (0)
 * - `fake/echo`: the last user message, word by word (`delay`, `first`)
 * - `fake/tiny`: echo with a 256-token context window; a longer prompt gets OpenRouter's 400
 * - `fake/title:text=Some%20Title`: the decoded text
 * - `fake/error:status=429,retryAfter=1,message=…` (`context=1` with 400 → context-length message)
 * - `fake/flaky:fails=2,status=503`: the first `fails` requests for that exact id fail
 * - `fake/midstream:after=5,code=502,message=…`: an error chunk after `after` tokens
 * - `fake/stall:after=3`: silence after `after` tokens
 * - `fake/processing:comments=3,interval=50`: `: OPENROUTER PROCESSING` comments first
 * - `fake/slow`: lorem with delay=20, tokens=40 (50 tokens/s)
 * - `fake/nonsense:as=html|json|empty,status=200`: not an answer (an HTML page, plain JSON, no events)
 * - `fake/big:chars=1000000`: the whole answer in one delta
 *
 * `max_tokens` shortens lorem/echo answers (finish_reason `length`). Usage: prompt_tokens =
 * ceil(message chars / 4), cost = completion × 0.000001 + prompt × 0.0000005; `usage=0` on any
 * id leaves the usage chunk out. `GET /generation?id=` has each generation's cost (the tokens
 * that went out, also of aborted streams) after one 404 (`generationMisses`); `GET /key`
 * answers 200 for any bearer key, 401 for a key given to `revokeKey` (chat then 401s too).
 */
export {
  startFakeUpstream,
  type FakeRequest,
  type FakeUpstream,
  type FakeUpstreamOptions,
} from './server'
export { loremText, loremToken } from './lorem'
export { FAKE_MODEL_IDS } from './models'
export { FAKE_COMPLETION_PRICE, FAKE_PROMPT_PRICE, fakeCost } from './respond'
