// The desktop smoke test's renderer: loaded with `--import` beside the stand-in electron module, it
// watches what the built main process does, then acts as the window would (requests over the IPC
// handler), and appends what it saw as JSON lines to $SMOKE_REPORT. When it is done it closes the
// window, so the app shuts down the way it does when a person closes it.
import { appendFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { standIn } from './electron-stand-in.mjs';

const reportFile = process.env.SMOKE_REPORT;
const report = (entry) => appendFileSync(reportFile, `${JSON.stringify(entry)}\n`);

standIn.events.on('when-ready', () => report({ event: 'when-ready' }));
standIn.events.on('handle', (channel) => report({ event: 'handle', channel }));
standIn.events.on('quit', () => report({ event: 'quit' }));
standIn.events.on('exit', (code) => report({ event: 'exit', code }));
standIn.events.on('error-box', (box) => report({ event: 'error-box', ...box }));
standIn.events.on('open-dialog', (options) => report({ event: 'open-dialog', options }));
standIn.events.on('window', (window) => {
  const { webPreferences, ...rest } = window.options;
  report({ event: 'window', options: rest, webPreferences, preloadExists: existsSync(webPreferences?.preload ?? '') });
});
standIn.events.on('load', (window, target) => {
  report({ event: 'load', ...target, exists: target.file ? existsSync(target.file) : null });
  actAsRenderer(window, target).catch((error) => {
    report({ event: 'driver-failed', message: String(error?.stack ?? error) });
    process.exit(3);
  });
});

/** A provider's model list with one model the bundled price table knows. */
function fakeOpenAi() {
  const server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url?.endsWith('/models')) {
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' }] }));
    } else {
      response.statusCode = 404;
      response.end('{}');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function actAsRenderer(window, target) {
  const [[channel, handler]] = [...standIn.handlers];
  const frameUrl = target.file ? pathToFileURL(target.file).href : target.url;
  const fromWindow = { sender: window.webContents, senderFrame: { parent: null, url: frameUrl } };
  const request = (route, input = {}, event = fromWindow) => handler(event, route, input);

  const server = await fakeOpenAi();
  const baseUrl = `http://127.0.0.1:${server.address().port}/v1`;
  const results = {
    channel,
    info: await request('app.info'),
    catalog: await request('models.catalog'),
    puzzles: await request('soup.puzzles.list'),
    providerAdded: await request('providers.add', { name: 'openai', preset: 'openai', baseUrl, apiKey: 'sk-smoke-test-key' }),
    providerModels: await request('providers.models', { name: 'openai' }),
    folderPicker: await request('documents.pickFolder'),
    settingsUpdated: await request('settings.update', { theme: 'dark' }),
    unknownRoute: await request('no.such.route'),
    fromAnotherSite: await request('app.info', {}, { sender: window.webContents, senderFrame: { parent: null, url: 'https://example.com/' } }),
    fromSubframe: await request('app.info', {}, { sender: window.webContents, senderFrame: { parent: {}, url: frameUrl } }),
  };
  server.close();
  await new Promise((resolve) => setImmediate(resolve));
  // Events pushed to the window over the directed channel (webContents.send).
  const events = window.webContents.sent.filter((m) => m.message?.type === 'event').map((m) => ({ channel: m.channel, event: m.message.event }));

  let headers = null;
  standIn.session.onHeadersReceived?.({ responseHeaders: { 'content-type': ['text/html'] } }, (answer) => (headers = answer.responseHeaders));
  let permission = null;
  standIn.session.permissionHandler?.(window.webContents, 'media', (granted) => (permission = granted));
  const navigation = { prevented: false };
  window.webContents.emit('will-navigate', { preventDefault: () => (navigation.prevented = true) }, 'https://example.com/');
  const popup = window.webContents.windowOpenHandler?.({ url: 'https://example.com/' }) ?? null;

  report({
    event: 'renderer',
    results,
    events,
    sandboxEnabled: standIn.sandbox === true,
    visible: window.visible,
    csp: headers?.['Content-Security-Policy'] ?? null,
    permissionGranted: permission,
    navigationPrevented: navigation.prevented,
    popup,
  });
  window.close();
}
