// The benchmark's WebSocket client, run in a worker thread so that, like a
// browser tab, it has its own event loop and does not compete with the
// backend's. It answers each 'run' with what the client itself observed.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const socket = new WebSocket(workerData.url);
let nextId = 1;
const pending = new Map();
let onStream = null;

socket.on('message', (data) => {
  const message = JSON.parse(data.toString());
  if (message.type === 'response') pending.get(message.id)?.(message.result);
  else if (message.type === 'stream') onStream?.(message);
});

function call(route, input) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, (result) => (result.ok ? resolve(result.data) : reject(new Error(`${route}: ${result.error.code} ${result.error.message}`))));
    socket.send(JSON.stringify({ type: 'request', id, route, input }));
  });
}

async function run({ prompt, modelId }) {
  const chat = await call('chats.create', {});
  let firstAt = 0;
  let text = '';
  let tokens = 0;
  const started = performance.now();
  const ended = new Promise((resolve, reject) => {
    onStream = (message) => {
      if (message.kind === 'end') {
        if (message.status === 'completed') resolve(performance.now());
        else reject(new Error(`stream ended ${message.status}: ${message.error?.message}`));
        return;
      }
      const part = message.part;
      if (part.type === 'text-delta') {
        if (firstAt === 0) firstAt = performance.now();
        text += part.text;
      } else if (part.type === 'usage') tokens = part.usage.outputTokens;
      else if (part.type === 'error') reject(new Error(`${part.code}: ${part.message}`));
    };
  });
  await call('chat.send', { chatId: chat.id, text: prompt, modelId });
  const endAt = await ended;
  onStream = null;
  return { tokens, ttftMs: firstAt - started, totalMs: endAt - started, text };
}

socket.once('open', () => parentPort.postMessage({ type: 'ready' }));
socket.once('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
parentPort.on('message', async (message) => {
  try {
    if (message.type === 'call') parentPort.postMessage({ type: 'result', data: await call(message.route, message.input) });
    else if (message.type === 'run') parentPort.postMessage({ type: 'result', data: await run(message) });
    else if (message.type === 'close') socket.close();
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error.message });
  }
});
