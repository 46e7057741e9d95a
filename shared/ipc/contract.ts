import { z } from 'zod';
import {
  AppInfoSchema,
  ChatSchema,
  ChatSummarySchema,
  IdSchema,
  LocalModelSchema,
  SettingsPatchSchema,
  SettingsSchema,
  TitleSchema,
} from './domain';
import { StreamPartSchema } from './stream-parts';
import { request, stream, type RequestRouteDef, type StreamRouteDef } from './route-def';
import { modelEvents, modelRoutes } from './routes/models';
import { providerRoutes } from './routes/providers';
import { downloadEvents, downloadRoutes } from './routes/downloads';
import { documentEvents, documentRoutes } from './routes/documents';
import { mcpEvents, mcpRoutes } from './routes/mcp';
import { routingEvents, routingRoutes } from './routes/routing';
import { compareRoutes } from './routes/compare';
import { labRoutes } from './routes/lab';
import { apiEvents, apiRoutes } from './routes/api';
import { soupEvents, soupRoutes } from './routes/soup';
import { appEvents, appRoutes } from './routes/app';
import { runtimeEvents, runtimeRoutes } from './routes/runtime';

/**
 * The single source of truth for everything the renderer (or any client of
 * serve mode) can ask of the backend. Every route is `domain.action` with a
 * zod input and output. Stream routes answer at once with a `streamId` and
 * `info`, then deliver parts with sequence numbers until one `end` envelope;
 * `stream.cancel` aborts one.
 */
export type { RequestRouteDef, StreamRouteDef } from './route-def';

const Empty = z.strictObject({});
const ChatRef = z.strictObject({ chatId: IdSchema });

export const contract = {
  /** Name, version, mode and the thread counts in use. */
  'app.info': request(Empty, AppInfoSchema),
  ...appRoutes,

  'settings.get': request(Empty, SettingsSchema),
  /** Applies a partial update; answers the whole new settings. */
  'settings.update': request(SettingsPatchSchema, SettingsSchema),

  /** Every `.gguf` in the models folders, with header problems shown rather than hidden. */
  'models.list': request(z.strictObject({ refresh: z.boolean().optional() }), z.array(LocalModelSchema)),

  /** Chats, newest first; `query` filters by title (case-insensitive). */
  'chats.list': request(z.strictObject({ query: z.string().max(200).optional() }), z.array(ChatSummarySchema)),
  'chats.create': request(
    z.strictObject({ title: TitleSchema.optional(), modelId: z.string().max(1024).optional() }),
    ChatSummarySchema,
  ),
  'chats.get': request(ChatRef, ChatSchema),
  'chats.rename': request(z.strictObject({ chatId: IdSchema, title: TitleSchema }), ChatSummarySchema),
  'chats.delete': request(ChatRef, z.object({ deleted: z.literal(true) })),
  'chats.export': request(
    z.strictObject({ chatId: IdSchema, format: z.enum(['markdown', 'json']) }),
    z.object({ filename: z.string(), mimeType: z.string(), content: z.string() }),
  ),

  /**
   * Sends a user message and streams the assistant's answer. The user message
   * and the (growing) assistant message are saved as the stream goes.
   */
  'chat.send': stream(
    z.strictObject({
      chatId: IdSchema,
      text: z.string().trim().min(1).max(200_000),
      modelId: z.string().min(1).max(1024),
      /** MCP resources attached to this message; their contents go into the prompt. */
      resources: z.array(z.strictObject({ server: z.string().min(1).max(64), uri: z.string().min(1).max(8192) })).max(8).optional(),
    }),
    z.object({ userMessageId: z.string(), assistantMessageId: z.string() }),
    StreamPartSchema,
  ),

  ...modelRoutes,

  /** Aborts a running stream of this client; `cancelled` is false when it had already ended. */
  'stream.cancel': request(z.strictObject({ streamId: IdSchema }), z.object({ cancelled: z.boolean() })),

  ...providerRoutes,
  ...downloadRoutes,
  ...documentRoutes,
  ...mcpRoutes,
  ...routingRoutes,
  ...compareRoutes,
  ...labRoutes,
  ...apiRoutes,
  ...soupRoutes,
  ...runtimeRoutes,
} as const;

export type Contract = typeof contract;
export type RouteName = keyof Contract;
export type RequestRouteName = { [K in RouteName]: Contract[K] extends RequestRouteDef ? K : never }[RouteName];
export type StreamRouteName = { [K in RouteName]: Contract[K] extends StreamRouteDef ? K : never }[RouteName];

export type RouteInput<K extends RouteName> = z.input<Contract[K]['input']>;
export type RouteParsedInput<K extends RouteName> = z.output<Contract[K]['input']>;
export type RouteOutput<K extends RouteName> = z.output<Contract[K]['output']>;
export type StreamPartOf<K extends StreamRouteName> = Contract[K] extends StreamRouteDef<z.ZodType, z.ZodType, infer P>
  ? z.output<P>
  : never;

/** What a stream route answers: the id to follow and the route's info. */
export interface StreamStart<Info> {
  streamId: string;
  info: Info;
}

export const routeNames = Object.keys(contract) as RouteName[];

export function isRouteName(name: unknown): name is RouteName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** Events pushed from the backend to every connected client. */
export const events = {
  /** The chat list changed (created, renamed, deleted, new message). */
  'chats.changed': z.object({ chatId: z.string().nullable() }),
  /** The models folders were rescanned. */
  'models.changed': z.object({}),
  ...modelEvents,
  ...downloadEvents,
  ...documentEvents,
  ...mcpEvents,
  ...routingEvents,
  ...apiEvents,
  ...soupEvents,
  ...appEvents,
  ...runtimeEvents,
  /** Lab task sets or runs were added, changed or removed. */
  'lab.changed': z.object({}),
  /** Settings changed (from any window or client). */
  'settings.changed': SettingsSchema,
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
