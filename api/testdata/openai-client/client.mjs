// Drives Taiwa's OpenAI-compatible API through the official openai
// package, as a chat client would, and prints what it got as JSON for
// TestOpenAINodeClient (api/openai_test.go) to check. It reads
// TAIWA_BASE_URL (…/v1), TAIWA_TOKEN, TAIWA_QUESTION and TAIWA_FOLLOWUP.
import OpenAI from 'openai';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

// No retries: a failure must show, not be papered over.
const client = new OpenAI({ baseURL: env('TAIWA_BASE_URL'), apiKey: env('TAIWA_TOKEN'), maxRetries: 0, timeout: 120_000 });

const models = [];
for await (const m of client.models.list()) models.push(m.id);

const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: env('TAIWA_QUESTION') },
];
const completion = await client.chat.completions.create({ model: 'taiwa', messages, temperature: 0.2, max_tokens: 800 });
const answer = completion.choices[0].message.content;

// The follow-up carries the conversation so far, as clients do, and streams.
const stream = await client.chat.completions.create({
  model: 'taiwa',
  messages: [...messages, { role: 'assistant', content: answer }, { role: 'user', content: env('TAIWA_FOLLOWUP') }],
  stream: true,
  stream_options: { include_usage: true },
});
const streamed = { id: null, chunks: 0, content: '', finish: null, usage: null };
for await (const chunk of stream) {
  streamed.chunks++;
  streamed.id ??= chunk.id;
  for (const choice of chunk.choices) {
    streamed.content += choice.delta?.content ?? '';
    if (choice.finish_reason) streamed.finish = choice.finish_reason;
  }
  if (chunk.usage) streamed.usage = chunk.usage;
}

// An error arrives as the SDK's APIError, read from OpenAI's error body.
let notFound = null;
try {
  await client.chat.completions.create({ model: 'taiwa:nobody', messages });
} catch (err) {
  if (!(err instanceof OpenAI.APIError)) throw err;
  notFound = { status: err.status, code: err.code, type: err.type };
}

console.log(JSON.stringify({
  models,
  completion: { id: completion.id, model: completion.model, content: answer, usage: completion.usage },
  stream: streamed,
  notFound,
}));
