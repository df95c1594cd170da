import { FALLBACK_MODELS } from '../fallback-models'

// The same prices as the cost the fake reports (see respond.ts), written the way OpenRouter does.
const FAKE_PROMPT_PRICE_TEXT = '0.0000005'
const FAKE_COMPLETION_PRICE_TEXT = '0.000001'

const FAKE_MODELS: ReadonlyArray<{
  id: string
  name: string
  description: string
  context: number
}> = [
  {
    id: 'fake/lorem',
    name: 'Fake: Lorem',
    description: 'Deterministic words; params tokens, delay, first.',
    context: 128_000,
  },
  {
    id: 'fake/echo',
    name: 'Fake: Echo',
    description: 'Streams back the last user message.',
    context: 128_000,
  },
  {
    id: 'fake/tiny',
    name: 'Fake: Tiny',
    description: 'Echo with a 256-token context window (enforced).',
    context: 256,
  },
  {
    id: 'fake/title',
    name: 'Fake: Title',
    description: 'Answers the text param (URI-encoded).',
    context: 128_000,
  },
  {
    id: 'fake/error',
    name: 'Fake: Error',
    description: 'Answers an HTTP error; params status, retryAfter, message, context.',
    context: 128_000,
  },
  {
    id: 'fake/flaky',
    name: 'Fake: Flaky',
    description: 'First `fails` requests fail with `status`, then lorem.',
    context: 128_000,
  },
  {
    id: 'fake/midstream',
    name: 'Fake: Mid-stream error',
    description: '`after` tokens, then an error chunk; params code, message.',
    context: 128_000,
  },
  {
    id: 'fake/stall',
    name: 'Fake: Stall',
    description: '`after` tokens, then silence.',
    context: 128_000,
  },
  {
    id: 'fake/processing',
    name: 'Fake: Processing',
    description: 'OPENROUTER PROCESSING comments, then lorem; params comments, interval.',
    context: 128_000,
  },
  {
    id: 'fake/slow',
    name: 'Fake: Slow',
    description: 'Lorem at 50 tokens/s (delay=20, tokens=40).',
    context: 128_000,
  },
  {
    id: 'fake/big',
    name: 'Fake: Big',
    description: 'The whole answer in one delta; param chars (1,000,000).',
    context: 128_000,
  },
  {
    id: 'fake/nonsense',
    name: 'Fake: Nonsense',
    description: 'A 200 that is no answer; param as=html|json|empty, status.',
    context: 128_000,
  },
]

function entry(
  id: string,
  name: string,
  description: string,
  context: number | null,
  pricing: { prompt: string; completion: string },
): Record<string, unknown> {
  return {
    id,
    name,
    description,
    created: 1_735_689_600,
    context_length: context,
    pricing: { ...pricing, request: '0', image: '0' },
    top_provider: { context_length: context, max_completion_tokens: 4096, is_moderated: false },
    architecture: {
      modality: 'text->text',
      input_modalities: ['text'],
      output_modalities: ['text'],
      tokenizer: 'Other',
    },
  }
}

let cachedBody: string | null = null

/** The fake's `GET /models` body in OpenRouter's shape, built once. */
export function modelsBody(): string {
  cachedBody ??= JSON.stringify({
    data: [
      ...FAKE_MODELS.map((m) =>
        entry(m.id, m.name, m.description, m.context, {
          prompt: FAKE_PROMPT_PRICE_TEXT,
          completion: FAKE_COMPLETION_PRICE_TEXT,
        }),
      ),
      ...FALLBACK_MODELS.map((m) =>
        entry(
          m.id,
          m.name,
          `${m.name} (served by the fake upstream)`,
          m.contextLength,
          m.pricing ?? { prompt: '0', completion: '0' },
        ),
      ),
    ],
  })
  return cachedBody
}

/** Ids the fake lists in `/models`. */
export const FAKE_MODEL_IDS: readonly string[] = FAKE_MODELS.map((m) => m.id)
