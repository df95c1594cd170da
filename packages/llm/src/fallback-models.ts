import type { Model } from './provider'

/**
 * Popular OpenRouter models, bundled for offline runs and for when `GET /models` fails.
 * Prices are a snapshot (USD per token, as OpenRouter writes them) and only indicative.
 */
export const FALLBACK_MODELS: readonly Model[] = [
  m('openai/gpt-4o-mini', 'OpenAI: GPT-4o-mini', 128_000, '0.00000015', '0.0000006'),
  m('openai/gpt-4o', 'OpenAI: GPT-4o', 128_000, '0.0000025', '0.00001'),
  m('openai/gpt-4.1', 'OpenAI: GPT-4.1', 1_047_576, '0.000002', '0.000008'),
  m('openai/gpt-4.1-mini', 'OpenAI: GPT-4.1 Mini', 1_047_576, '0.0000004', '0.0000016'),
  m('openai/o4-mini', 'OpenAI: o4 Mini', 200_000, '0.0000011', '0.0000044'),
  m('anthropic/claude-sonnet-4', 'Anthropic: Claude Sonnet 4', 200_000, '0.000003', '0.000015'),
  m('anthropic/claude-3.5-haiku', 'Anthropic: Claude 3.5 Haiku', 200_000, '0.0000008', '0.000004'),
  m('google/gemini-2.5-flash', 'Google: Gemini 2.5 Flash', 1_048_576, '0.0000003', '0.0000025'),
  m('google/gemini-2.5-pro', 'Google: Gemini 2.5 Pro', 1_048_576, '0.00000125', '0.00001'),
  m(
    'meta-llama/llama-3.3-70b-instruct',
    'Meta: Llama 3.3 70B Instruct',
    131_072,
    '0.00000013',
    '0.0000004',
  ),
  m('deepseek/deepseek-chat', 'DeepSeek: DeepSeek V3', 163_840, '0.0000003', '0.00000085'),
  m('deepseek/deepseek-r1', 'DeepSeek: R1', 163_840, '0.0000004', '0.000002'),
  m('mistralai/mistral-large', 'Mistral Large', 128_000, '0.000002', '0.000006'),
  m('x-ai/grok-3', 'xAI: Grok 3', 131_072, '0.000003', '0.000015'),
  m('qwen/qwen-2.5-72b-instruct', 'Qwen2.5 72B Instruct', 32_768, '0.00000012', '0.00000039'),
]

function m(
  id: string,
  name: string,
  contextLength: number,
  prompt: string,
  completion: string,
): Model {
  return { id, name, contextLength, pricing: { prompt, completion } }
}
