import { z } from 'zod';
import { toTandemError } from '../../../../shared/ipc/errors';
import { EMBEDDING_ARCHITECTURES } from '../../documents/document-embedder';
import { ApiError, apiErrorOf } from './api-errors';
import { ModelIdSchema } from './chat-request';
import type { EndpointContext } from './endpoint';
import { parseBody, sendJson } from './http-io';

/** Texts per request and characters per text (OpenAI allows 2048 inputs). */
export const MAX_EMBEDDING_INPUTS = 2048;
const MAX_EMBEDDING_CHARS = 64 * 1024;

const Input = z.string().max(MAX_EMBEDDING_CHARS);
export const EmbeddingsRequestSchema = z.object({
  model: ModelIdSchema,
  input: z.union([Input, z.array(Input).min(1).max(MAX_EMBEDDING_INPUTS), z.array(z.number()), z.array(z.array(z.number()))]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().max(512).optional(),
});

/** POST /v1/embeddings with a local embedding GGUF (bert and other encoders). */
export async function embeddings(ctx: EndpointContext): Promise<void> {
  const body = parseBody(EmbeddingsRequestSchema, await ctx.body());
  if (typeof body.input !== 'string' && body.input.some((item) => typeof item !== 'string')) {
    throw new ApiError(400, 'Token arrays are not supported as input; send strings.', 'invalid_request_error', 'unsupported', 'input');
  }
  const texts = typeof body.input === 'string' ? [body.input] : (body.input as string[]);
  const model = (await ctx.core.library.list()).find((m) => m.id === body.model);
  if (!model) throw new ApiError(404, `The model '${body.model}' does not exist.`, 'invalid_request_error', 'model_not_found', 'model');
  if (model.problem || !model.architecture || !EMBEDDING_ARCHITECTURES.has(model.architecture)) {
    throw new ApiError(400, `The model '${body.model}' does not make embeddings; use an embedding model (e.g. a BERT-family GGUF).`, 'invalid_request_error', 'model_not_supported', 'model');
  }
  let vectors: number[][];
  let tokens = 0;
  try {
    vectors = await ctx.core.embeddings.embed(model, texts, { signal: ctx.signal });
    tokens = await ctx.core.runtime.withEmbeddingContext(model, async (context) => texts.reduce((sum, text) => sum + context.model.tokenize(text).length, 0), ctx.signal);
  } catch (error) {
    throw apiErrorOf(toTandemError(error));
  }
  if (body.dimensions !== undefined && vectors[0] && body.dimensions !== vectors[0].length) {
    throw new ApiError(400, `This model makes ${vectors[0].length}-dimensional vectors; dimensions cannot change that.`, 'invalid_request_error', 'invalid_value', 'dimensions');
  }
  ctx.recordUsage({ model: model.id, inputTokens: tokens });
  const base64 = body.encoding_format === 'base64';
  sendJson(
    ctx.res,
    200,
    {
      object: 'list',
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
      })),
      model: model.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    ctx.baseHeaders,
  );
}
