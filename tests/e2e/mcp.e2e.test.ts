import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startFakeOpenAI, type FakeOpenAIServer } from '../fixtures/fake-openai-server';
import { startEverythingHttp, type EverythingHttp } from '../fixtures/mcp/everything-http';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, REPO_ROOT, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * MCP as a person uses it (serve mode): add the reference "everything"
 * server on the MCP page, watch it become ready, call its echo tool from the
 * Call tool form; then let a chat's model use it: the fake provider's
 * scripted model calls echo, the approval card shows the arguments, "Allow
 * once" runs it, and the result and the final answer appear (and are still
 * there after a reload).
 */

const API_KEY = 'sk-made-up-0123456789abcdef';
const PROVIDER = 'fakecloud';
const MODEL = 'mcp-echo';
const SERVER = 'everything';
const EVERYTHING = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const ECHO_ARGS = { message: 'hello from the e2e' };
const PROGRESS_MODEL = 'mcp-progress';
const PLAIN_MODEL = 'plain';
const LONG_MODEL = 'mcp-long';
const LONG_MESSAGE = 'long '.repeat(600).trim();
const EVERYTHING_DOC = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/docs/architecture.md');

let workDir = '';
let server: ServeProcess | null = null;
let fake: FakeOpenAIServer | null = null;
let httpServer: EverythingHttp | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

const POLL = { timeout: 20_000, interval: 100 };

async function screenshot(name: string, target?: Locator): Promise<void> {
  const path = join(ARTIFACTS, `${name}.png`);
  if (target) await target.screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
}

function pagesNav(): Locator {
  return page.getByRole('navigation', { name: 'Pages' });
}

function assistantAt(position: number): Locator {
  return page.getByRole('article', { name: `assistant message ${position}`, exact: true });
}

function lastAssistant(): Locator {
  return page.getByRole('article', { name: /^assistant message/ }).last();
}

async function newChatWith(model: string): Promise<void> {
  await pagesNav().getByRole('button', { name: 'Chats' }).click();
  await page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: 'New chat', exact: true }).click();
  await page.getByRole('combobox', { name: 'Model' }).selectOption(`${PROVIDER}/${model}`);
}

/** In the page (the test's tsconfig has no DOM types): the element's font-family, and whether it has focus. */
type InPage = { ownerDocument: { activeElement: unknown; defaultView: { getComputedStyle(el: unknown): { fontFamily: string } } } };
const fontFamilyOf = (el: unknown) => (el as InPage).ownerDocument.defaultView.getComputedStyle(el).fontFamily;
const hasFocus = (el: unknown) => (el as InPage).ownerDocument.activeElement === el;

function serverCard(): Locator {
  return page.getByRole('article', { name: SERVER });
}

/** The tool the model was offered whose name ends with `__echo` (the tool loop names tools `server__tool`). */
function offeredEcho(body: Record<string, unknown>): string {
  const tools = (body.tools ?? []) as { function?: { name?: string } }[];
  return tools.map((t) => t.function?.name ?? '').find((name) => name.endsWith('__echo')) ?? 'everything__echo';
}

function lastRole(body: Record<string, unknown>): string | undefined {
  return ((body.messages ?? []) as { role?: string }[]).at(-1)?.role;
}

/** The text of the last tool message the model got back. */
function lastToolResult(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as { role?: string; content?: unknown }[];
  const tool = messages.filter((m) => m.role === 'tool').at(-1);
  if (!tool) return '(no tool result)';
  return typeof tool.content === 'string' ? tool.content : JSON.stringify(tool.content);
}

beforeAll(async () => {
  await prepareE2e();
  if (!existsSync(EVERYTHING)) throw new Error(`${EVERYTHING} is missing: the MCP reference servers are a dev dependency.`);
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-mcp-'));
  const modelsDir = join(workDir, 'models');
  await mkdir(modelsDir);

  fake = await startFakeOpenAI({
    apiKey: API_KEY,
    extraModels: [
      { id: MODEL, object: 'model', created: 1700000000, owned_by: 'fake' },
      { id: PROGRESS_MODEL, object: 'model', created: 1700000000, owned_by: 'fake' },
      // answers every request with the fake server's plain greeting
      { id: PLAIN_MODEL, object: 'model', created: 1700000000, owned_by: 'fake' },
      { id: LONG_MODEL, object: 'model', created: 1700000000, owned_by: 'fake' },
    ],
  });
  // A turn starts with the user's message: call the tool. After the tool result: answer.
  fake.script(MODEL, (body) => {
    if (lastRole(body) === 'user') return { toolCalls: [{ name: offeredEcho(body), arguments: ECHO_ARGS }] };
    return { text: `The echo tool answered: ${lastToolResult(body)}` };
  });
  // Echoes a 3000-character message: more than the model may get back when the limit is 1000.
  fake.script(LONG_MODEL, (body) => {
    if (lastRole(body) === 'user') return { toolCalls: [{ name: offeredEcho(body), arguments: { message: LONG_MESSAGE } }] };
    return { text: `Got ${lastToolResult(body).length} characters back.` };
  });
  // Calls the long-running tool (3 steps over 3 s), so its progress shows on the card.
  fake.script(PROGRESS_MODEL, (body) => {
    const tools = ((body.tools ?? []) as { function?: { name?: string } }[]).map((t) => t.function?.name ?? '');
    const name = tools.find((n) => n.endsWith('__trigger-long-running-operation')) ?? 'everything__trigger-long-running-operation';
    if (lastRole(body) === 'user') return { toolCalls: [{ name, arguments: { duration: 3, steps: 3 } }] };
    return { text: 'The long operation finished.' };
  });
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 860 }, timeoutMs: 20_000 }));
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await fake?.close().catch(() => undefined);
  await httpServer?.stop().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await screenshot(`mcp-failed-${context.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('the MCP page', () => {
  test('adds the everything server through the form, sees it ready with its tools, and calls echo', async () => {
    await pagesNav().getByRole('button', { name: 'MCP' }).click();
    await page.getByRole('heading', { name: 'MCP servers', level: 1 }).waitFor();
    await page.getByText('No MCP servers yet.').waitFor();

    const form = page.getByRole('form', { name: 'Add server' });
    await form.getByRole('textbox', { name: 'Server name', exact: true }).fill(SERVER);
    expect(await form.getByRole('radio', { name: 'Local command (stdio)' }).isChecked()).toBe(true);
    await form.getByRole('textbox', { name: 'Command' }).fill('node');
    // one argument a line: the script, then the transport it should speak
    await form.getByRole('textbox', { name: 'Arguments', exact: true }).fill(`${EVERYTHING}\nstdio`);
    await form.getByRole('textbox', { name: 'Environment', exact: true }).fill('E2E_NOTE=visible');
    await screenshot('mcp-00-add-form', form);
    await form.getByRole('button', { name: 'Add server' }).click();

    const card = serverCard();
    await card.waitFor();
    await card.locator('.badge', { hasText: 'Ready' }).waitFor({ timeout: 45_000 });
    expect(await card.getByRole('switch', { name: 'Enabled' }).isChecked()).toBe(true);
    expect(await card.innerText()).toContain(EVERYTHING);

    const tools = card.getByRole('table', { name: `Tools of ${SERVER}` });
    const echoRow = tools.getByRole('row', { name: /^echo/ });
    await echoRow.waitFor();
    expect(await tools.getByRole('row').count()).toBeGreaterThan(3);
    expect(await echoRow.getByRole('combobox', { name: 'Approval for echo' }).inputValue()).toBe('ask');
    expect(await echoRow.getByRole('checkbox', { name: 'Enable echo' }).isChecked()).toBe(true);
    await screenshot('mcp-01-server-ready');

    // "Try" prefills the arguments from the tool's input schema.
    await echoRow.getByRole('button', { name: 'Try echo' }).click();
    const callForm = card.getByRole('form', { name: `Call a tool of ${SERVER}` });
    const args = callForm.getByRole('textbox', { name: 'Tool arguments (JSON)' });
    expect(JSON.parse(await args.inputValue())).toEqual({ message: '' });
    await args.fill(JSON.stringify({ message: 'hi from the form' }));
    await callForm.getByRole('button', { name: 'Call', exact: true }).click();
    const result = callForm.getByRole('status', { name: 'Result of echo' });
    await result.waitFor();
    await expect.poll(() => result.innerText(), POLL).toContain('hi from the form');
    expect(await result.innerText()).toMatch(/Result · \d+ ms/);
    // Broken JSON is caught before anything is sent.
    await args.fill('{ "message": ');
    expect(await callForm.getByRole('button', { name: 'Call', exact: true }).isDisabled()).toBe(true);
    await callForm.getByText(/Not valid JSON/).waitFor();
    await args.fill('{"message": "again"}');
    await screenshot('mcp-02-call-tool', callForm);

    // The other tabs: resources, prompts, the server's log.
    await card.getByRole('tab', { name: /^Resources/ }).click();
    await card.getByRole('table', { name: `Resources of ${SERVER}` }).waitFor();
    await card.getByRole('tab', { name: /^Prompts/ }).click();
    await card.getByRole('list', { name: `Prompts of ${SERVER}` }).waitFor();
    await card.getByRole('tab', { name: /^Log/ }).click();
    const log = card.getByLabel(`Log of ${SERVER}`, { exact: true });
    await log.waitFor();
    await expect.poll(() => log.innerText(), POLL).not.toBe('Loading…');
    await card.getByRole('tab', { name: /^Tools/ }).click();
  });

  test('dark theme: the page reads the same', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await serverCard().waitFor();
    await screenshot('mcp-03-page-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('tools in a chat', () => {
  test('the model calls echo, the approval card shows the arguments, and Allow once runs it', async () => {
    // The fake OpenAI-compatible server as a provider.
    await pagesNav().getByRole('button', { name: 'Providers' }).click();
    const providerForm = page.getByRole('form', { name: 'Add provider' });
    await providerForm.getByRole('combobox', { name: 'Preset' }).selectOption('custom');
    await providerForm.getByRole('textbox', { name: /^Name/ }).fill(PROVIDER);
    await providerForm.getByRole('textbox', { name: /^Base URL/ }).fill(fake!.baseUrl);
    await providerForm.getByLabel('API key').fill(API_KEY);
    await providerForm.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('article', { name: PROVIDER }).waitFor();

    await pagesNav().getByRole('button', { name: 'Chats' }).click();
    const picker = page.getByRole('combobox', { name: 'Model' });
    await expect.poll(() => picker.locator(`option[value="${PROVIDER}/${MODEL}"]`).count(), POLL).toBe(1);
    await picker.selectOption(`${PROVIDER}/${MODEL}`);

    // Tools for this (not yet created) chat: the everything server, at most 4 steps.
    await page.getByRole('button', { name: 'Tools', exact: true }).click();
    const toolsPanel = page.getByRole('dialog', { name: 'Tools' });
    await toolsPanel.getByRole('checkbox', { name: new RegExp(`^${SERVER}`) }).check();
    const steps = toolsPanel.getByRole('spinbutton', { name: 'Step limit' });
    await steps.fill('4');
    await steps.press('Enter');
    await screenshot('mcp-04-tools-popover');
    await page.keyboard.press('Escape');
    await toolsPanel.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: /^Tools \(1 server\)$/ }).waitFor();

    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Please echo something for me');
    await message.press('Enter');

    const answer = assistantAt(2);
    const card = answer.getByRole('group', { name: 'Tool call approval' });
    await card.waitFor({ timeout: 30_000 });
    // The question stays on screen while the card waits (saving the new chat's tools does not reload it away).
    expect(await page.getByRole('article', { name: 'user message 1', exact: true }).innerText()).toContain('Please echo something for me');
    expect(await card.innerText()).toContain('echo');
    expect(await card.innerText()).toContain(SERVER);
    // The arguments are pretty-printed JSON in a monospace block.
    const argsBlock = card.locator('pre');
    expect(await argsBlock.innerText()).toBe(JSON.stringify(ECHO_ARGS, null, 2));
    expect(await argsBlock.evaluate(fontFamilyOf)).toMatch(/mono/i);
    // Focus moves to the card, so its buttons are one Tab away.
    await expect.poll(() => card.evaluate(hasFocus), POLL).toBe(true);
    await screenshot('mcp-05-approval-card');

    await card.getByRole('button', { name: 'Allow once' }).click();
    const result = answer.locator('details', { hasText: 'Result from echo' });
    await result.waitFor({ timeout: 30_000 });
    await answer.getByText(/The echo tool answered: .*hello from the e2e/).waitFor({ timeout: 30_000 });
    await result.locator('summary').click();
    expect(await result.innerText()).toContain('hello from the e2e');
    await screenshot('mcp-06-tool-result');

    // The model got the real echo result, not an error.
    const bodies = fake!.bodies.filter((b) => b.model === MODEL);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    expect(lastToolResult(bodies.at(-1)!)).toContain('hello from the e2e');
  });

  test('the tool call is saved with the message and shown again after a reload; the chat keeps its tools', async () => {
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: /echo something/ }).first().click();
    const answer = lastAssistant();
    const result = answer.locator('details', { hasText: 'Result from echo' });
    await result.waitFor();
    await result.locator('summary').click();
    expect(await result.innerText()).toContain('hello from the e2e');
    expect(await answer.innerText()).toContain('The echo tool answered');

    // Saving the other chat settings keeps the tools.
    await page.getByRole('button', { name: 'Chat settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Chat settings' });
    await settings.getByRole('spinbutton', { name: 'Temperature' }).fill('0.5');
    await settings.getByRole('button', { name: 'Save' }).click();
    await settings.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: /^Tools \(1 server\)$/ }).click();
    const toolsPanel = page.getByRole('dialog', { name: 'Tools' });
    expect(await toolsPanel.getByRole('checkbox', { name: new RegExp(`^${SERVER}`) }).isChecked()).toBe(true);
    expect(await toolsPanel.getByRole('spinbutton', { name: 'Step limit' }).inputValue()).toBe('4');
    await page.keyboard.press('Escape');
  });
});

describe('denying and always allowing', () => {
  test('Deny tells the model no; Always allow sets the tool to run without asking', async () => {
    await newChatWith(MODEL);
    await page.getByRole('button', { name: 'Tools', exact: true }).click();
    await page.getByRole('dialog', { name: 'Tools' }).getByRole('checkbox', { name: new RegExp(`^${SERVER}`) }).check();
    await page.keyboard.press('Escape');
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Echo, but I will say no');
    await message.press('Enter');
    // This chat's answers are messages 2, 4 and 6.
    let answer = assistantAt(2);
    await answer.getByRole('group', { name: 'Tool call approval' }).getByRole('button', { name: 'Deny' }).click();
    await answer.locator('details', { hasText: /^Denied/ }).waitFor({ timeout: 30_000 });
    await answer.getByText(/The echo tool answered:/).waitFor({ timeout: 30_000 });
    await screenshot('mcp-06b-denied');

    await message.fill('Echo again, always');
    await message.press('Enter');
    answer = assistantAt(4);
    await answer.getByRole('group', { name: 'Tool call approval' }).getByRole('button', { name: 'Always allow' }).click();
    await answer.locator('details', { hasText: 'Result from echo' }).waitFor({ timeout: 30_000 });
    await answer.getByText(/The echo tool answered: .*hello from the e2e/).waitFor({ timeout: 30_000 });

    // The next call runs without a card, and the MCP page shows the new policy.
    await message.fill('Echo once more');
    await message.press('Enter');
    answer = assistantAt(6);
    await answer.getByText(/The echo tool answered: .*hello from the e2e/).waitFor({ timeout: 30_000 });
    expect(await answer.getByRole('group', { name: 'Tool call approval' }).count()).toBe(0);
    expect(await answer.locator('details', { hasText: 'Result from echo' }).count()).toBe(1);
    await pagesNav().getByRole('button', { name: 'MCP' }).click();
    const select = serverCard().getByRole('combobox', { name: 'Approval for echo' });
    await expect.poll(() => select.inputValue(), POLL).toBe('always-allow');
    await select.selectOption('ask');
    await expect.poll(() => select.inputValue(), POLL).toBe('ask');
  });
});

describe('prompts, resources, progress', () => {
  test('"/" lists the servers\' prompts; choosing one (with its arguments) fills the composer', async () => {
    await newChatWith(PLAIN_MODEL);
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('/');
    const menu = page.getByRole('listbox', { name: 'Prompts' });
    await menu.waitFor();
    await menu.getByRole('option', { name: /simple-prompt/ }).waitFor();
    expect(await menu.getByRole('option', { name: /args-prompt/ }).innerText()).toContain(SERVER);
    await screenshot('mcp-07-prompt-menu');

    // Typing filters; Enter takes the highlighted one.
    await message.pressSequentially('simple');
    await expect.poll(() => menu.getByRole('option').count(), POLL).toBe(1);
    await message.press('Enter');
    await expect.poll(() => message.inputValue(), POLL).toBe('This is a simple prompt without arguments.');
    await menu.waitFor({ state: 'hidden' });

    // A prompt with arguments asks for them first.
    await message.fill('/args');
    await menu.getByRole('option', { name: /args-prompt/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Prompt args-prompt' });
    await dialog.getByRole('textbox', { name: 'city', exact: true }).fill('Lisbon');
    await dialog.getByRole('button', { name: 'Use prompt' }).click();
    await expect.poll(() => message.inputValue(), POLL).toContain('Lisbon');
    await message.fill('');
  });

  test('an attached resource shows as a chip and its contents reach the model', async () => {
    await page.getByRole('button', { name: 'Attach resource' }).click();
    const picker = page.getByRole('dialog', { name: 'Attach resource' });
    await picker.getByRole('textbox', { name: 'Filter resources' }).fill('architecture');
    await picker.getByRole('button', { name: /architecture\.md/ }).click();
    await screenshot('mcp-08-attach-resource');
    await page.keyboard.press('Escape');
    const chips = page.getByRole('list', { name: 'Attached resources' });
    await chips.getByRole('listitem').filter({ hasText: 'architecture.md' }).waitFor();

    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Summarise the attached document');
    await message.press('Enter');
    await lastAssistant().getByText('Hello from the fake server.').waitFor({ timeout: 30_000 });
    // Sent once: the chips are gone, and the document's text was in the prompt.
    await expect.poll(() => chips.count(), POLL).toBe(0);
    const firstLine = (await readFile(EVERYTHING_DOC, 'utf8')).split('\n')[0]!;
    const body = fake!.bodies.filter((b) => b.model === PLAIN_MODEL).at(-1)!;
    expect(JSON.stringify(body.messages)).toContain(firstLine);
  });

  test('a running tool shows its progress on the card', async () => {
    await newChatWith(PROGRESS_MODEL);
    await page.getByRole('button', { name: 'Tools', exact: true }).click();
    await page.getByRole('dialog', { name: 'Tools' }).getByRole('checkbox', { name: new RegExp(`^${SERVER}`) }).check();
    await page.keyboard.press('Escape');
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Run the long operation');
    await message.press('Enter');

    const answer = lastAssistant();
    const card = answer.getByRole('group', { name: 'Tool call approval' });
    await card.waitFor({ timeout: 30_000 });
    // Keyboard: focus is on the card, Tab reaches "Allow once".
    await expect.poll(() => card.evaluate(hasFocus), POLL).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Allow once');
    await page.keyboard.press('Enter');
    const bar = card.getByRole('progressbar', { name: 'Progress of trigger-long-running-operation' });
    await bar.waitFor({ timeout: 15_000 });
    await screenshot('mcp-09-tool-progress');
    await answer.locator('details', { hasText: 'Result from trigger-long-running-operation' }).waitFor({ timeout: 30_000 });
    await answer.getByText('The long operation finished.').waitFor();
  });
});

describe('sampling, import and export, removing', () => {
  test('a server\'s sampling request opens a dialog; approving answers with the chosen model', async () => {
    await pagesNav().getByRole('button', { name: 'MCP' }).click();
    const card = serverCard();
    await card.getByRole('button', { name: 'Try trigger-sampling-request' }).click();
    const callForm = card.getByRole('form', { name: `Call a tool of ${SERVER}` });
    const args = callForm.getByRole('textbox', { name: 'Tool arguments (JSON)' });
    const prefilled = JSON.parse(await args.inputValue()) as Record<string, unknown>;
    expect(prefilled).toHaveProperty('prompt', '');
    await args.fill(JSON.stringify({ ...prefilled, prompt: 'Say hello to the e2e' }));
    await callForm.getByRole('button', { name: 'Call', exact: true }).click();

    const dialog = page.getByRole('dialog', { name: `Sampling request from ${SERVER}` });
    await dialog.waitFor();
    await dialog.getByText(/Say hello to the e2e/).waitFor();
    await dialog.getByRole('combobox', { name: 'Model' }).selectOption(`${PROVIDER}/${PLAIN_MODEL}`);
    await screenshot('mcp-10-sampling-dialog');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const result = callForm.getByRole('status', { name: 'Result of trigger-sampling-request' });
    await expect.poll(() => result.innerText(), { timeout: 30_000, interval: 200 }).toContain('Hello from the fake server.');
  });

  test('a sampling request still waiting is shown again after a reload, and Deny refuses it', async () => {
    const card = serverCard();
    const callForm = card.getByRole('form', { name: `Call a tool of ${SERVER}` });
    const args = callForm.getByRole('textbox', { name: 'Tool arguments (JSON)' });
    await args.fill(JSON.stringify({ prompt: 'Ask again after a reload', maxTokens: 50 }));
    await callForm.getByRole('button', { name: 'Call', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Sampling request from ${SERVER}` });
    await dialog.waitFor();

    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await dialog.waitFor();
    await dialog.getByText(/Ask again after a reload/).waitFor();
    // Escape does not answer it: the server is waiting for a decision.
    await page.keyboard.press('Escape');
    expect(await dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Deny' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await pagesNav().getByRole('button', { name: 'MCP' }).click();
    await serverCard().waitFor();
  });

  test('Import says what was added and what was skipped and why; Export downloads mcp.json', async () => {
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import MCP servers' });
    const config = {
      mcpServers: {
        imported: { command: 'node', args: [EVERYTHING, 'stdio'] },
        'not valid!': { command: 'node' },
      },
    };
    await dialog.getByRole('textbox', { name: 'Configuration JSON' }).fill(JSON.stringify(config, null, 2));
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const outcome = dialog.getByRole('status');
    await outcome.waitFor();
    expect(await outcome.innerText()).toContain('Added: imported');
    expect(await outcome.innerText()).toContain('not valid!');
    await screenshot('mcp-11-import');
    await dialog.getByRole('button', { name: 'Close' }).click();
    const imported = page.getByRole('article', { name: 'imported' });
    // Issue 15: a command line from a file runs only once the user allows it.
    await imported.locator('.badge', { hasText: 'Waiting for your OK' }).waitFor();
    await imported.getByRole('group', { name: 'Allow imported to run?' }).getByRole('button', { name: 'Allow this server to run' }).click();
    await imported.locator('.badge', { hasText: 'Ready' }).waitFor({ timeout: 45_000 });

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const download = await downloading;
    const path = await download.path();
    const exported = JSON.parse(await readFile(path, 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(Object.keys(exported.mcpServers).sort()).toEqual(['everything', 'imported']);
  });

  test('turning a server off and removing one (after a confirmation)', async () => {
    const imported = page.getByRole('article', { name: 'imported' });
    // Edit: a plain and a secret env value; the secret is never shown again, and kept when left empty.
    await imported.getByRole('button', { name: 'Edit imported' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit imported' });
    expect(await edit.getByRole('textbox', { name: 'Server name' }).isEditable()).toBe(false);
    expect(await edit.getByRole('textbox', { name: /^Arguments/ }).inputValue()).toBe(`${EVERYTHING}\nstdio`);
    await edit.getByRole('textbox', { name: /^Environment/ }).fill('EDITED=yes');
    await edit.getByRole('textbox', { name: /^Secret environment/ }).fill('TOKEN=secret-value-1234');
    await edit.getByRole('button', { name: 'Save and restart' }).click();
    await edit.waitFor({ state: 'hidden' });
    await imported.getByText(/env EDITED, TOKEN \(secret\)/).waitFor();
    expect(await imported.innerText()).not.toContain('secret-value-1234');
    await imported.getByRole('button', { name: 'Edit imported' }).click();
    expect(await edit.getByRole('textbox', { name: /^Secret environment/ }).inputValue()).toBe('TOKEN=');
    await page.screenshot({ path: join(ARTIFACTS, 'mcp-11b-edit.png') });
    await edit.getByRole('button', { name: 'Save and restart' }).click();
    await edit.waitFor({ state: 'hidden' });
    await imported.locator('.badge', { hasText: 'Ready' }).waitFor({ timeout: 45_000 });
    await imported.getByText(/TOKEN \(secret\)/).waitFor();

    await imported.getByRole('switch', { name: 'Enabled' }).uncheck();
    await imported.locator('.badge', { hasText: 'Disabled' }).waitFor();
    await imported.getByRole('button', { name: 'Remove imported' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove imported?' });
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await imported.waitFor({ state: 'detached' });
    await serverCard().waitFor();
  });

  test('a server whose command is missing says so before starting', async () => {
    const form = page.getByRole('form', { name: 'Add server' });
    await form.getByRole('textbox', { name: 'Server name' }).fill('missing');
    await form.getByRole('textbox', { name: 'Command' }).fill('tandem-no-such-command-xyz');
    await form.getByRole('button', { name: 'Add server' }).click();
    const card = page.getByRole('article', { name: 'missing' });
    await card.locator('.badge', { hasText: 'Error' }).waitFor({ timeout: 30_000 });
    const note = card.getByRole('note');
    await note.waitFor();
    expect(await note.innerText()).toContain('tandem-no-such-command-xyz');
    await card.screenshot({ path: join(ARTIFACTS, 'mcp-12-server-error.png') });
    await card.getByRole('button', { name: 'Remove missing' }).click();
    await page.getByRole('dialog', { name: 'Remove missing?' }).getByRole('button', { name: 'Remove' }).click();
    await card.waitFor({ state: 'detached' });
  });

  test('MCP settings: roots, the sampling model and the tool result limit are saved', async () => {
    const panel = page.getByRole('region', { name: 'MCP settings' });
    await panel.getByRole('textbox', { name: 'Root folder' }).fill(workDir);
    await panel.getByRole('button', { name: 'Add root' }).click();
    await panel.getByRole('list', { name: 'Roots' }).getByText(workDir).waitFor();
    await panel.getByRole('combobox', { name: 'Sampling model', exact: true }).selectOption(`${PROVIDER}/${PLAIN_MODEL}`);
    const chars = panel.getByRole('spinbutton', { name: 'Max tool result characters' });
    await chars.fill('30000');
    await panel.getByRole('button', { name: 'Save' }).click();
    await panel.screenshot({ path: join(ARTIFACTS, 'mcp-13-settings.png') });
    await expect.poll(() => panel.getByRole('button', { name: 'Save' }).isDisabled(), POLL).toBe(true);
    // What was saved comes back after a reload.
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();
    await pagesNav().getByRole('button', { name: 'MCP' }).click();
    const reloaded = page.getByRole('region', { name: 'MCP settings' });
    await reloaded.getByRole('list', { name: 'Roots' }).getByText(workDir).waitFor();
    expect(await reloaded.getByRole('combobox', { name: 'Sampling model', exact: true }).inputValue()).toBe(`${PROVIDER}/${PLAIN_MODEL}`);
    expect(await reloaded.getByRole('spinbutton', { name: 'Max tool result characters' }).inputValue()).toBe('30000');
    await reloaded.getByRole('button', { name: `Remove root ${workDir}` }).click();
    await expect.poll(() => reloaded.getByRole('list', { name: 'Roots' }).getByText(workDir).count(), POLL).toBe(0);
  });

  test('a result longer than the limit reaches the model truncated, with a note; the user sees it whole', async () => {
    const chars = page.getByRole('region', { name: 'MCP settings' }).getByRole('spinbutton', { name: 'Max tool result characters' });
    await chars.fill('1000');
    await chars.press('Enter');
    await expect.poll(() => page.getByRole('region', { name: 'MCP settings' }).getByRole('button', { name: 'Save' }).isDisabled(), POLL).toBe(true);

    await newChatWith(LONG_MODEL);
    await page.getByRole('button', { name: 'Tools', exact: true }).click();
    await page.getByRole('dialog', { name: 'Tools' }).getByRole('checkbox', { name: new RegExp(`^${SERVER}`) }).check();
    await page.keyboard.press('Escape');
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Echo a long text');
    await message.press('Enter');
    const answer = assistantAt(2);
    await answer.getByRole('group', { name: 'Tool call approval' }).getByRole('button', { name: 'Allow once' }).click();
    await answer.getByText(/^Got \d+ characters back\.$/).waitFor({ timeout: 30_000 });
    const result = answer.locator('details', { hasText: 'Result from echo' });
    await result.locator('summary').click();
    await result.getByRole('note').filter({ hasText: 'truncated' }).waitFor();
    expect(await result.locator('pre').last().innerText()).toContain(LONG_MESSAGE);
    const told = Number(/Got (\d+) characters/.exec(await answer.innerText())?.[1]);
    expect(told).toBeLessThan(LONG_MESSAGE.length);
    await screenshot('mcp-16-truncated-note');
  });

  test('an HTTP server with a secret header connects over streamable HTTP', async () => {
    httpServer = await startEverythingHttp('streamableHttp');
    await pagesNav().getByRole('button', { name: 'MCP' }).click();
    const form = page.getByRole('form', { name: 'Add server' });
    await form.getByRole('textbox', { name: 'Server name' }).fill('remote');
    await form.getByRole('radio', { name: 'HTTP' }).check();
    await form.getByRole('textbox', { name: /^URL/ }).fill(httpServer.url);
    await form.getByRole('textbox', { name: /^Headers/ }).fill('X-Team: e2e');
    await form.getByRole('textbox', { name: /^Secret headers/ }).fill('Authorization: Bearer secret-abc-9876');
    await form.getByRole('button', { name: 'Add server' }).click();
    const card = page.getByRole('article', { name: 'remote' });
    await card.locator('.badge', { hasText: 'Ready' }).waitFor({ timeout: 30_000 });
    const text = await card.innerText();
    expect(text).toContain('via streamable-http');
    expect(text).toContain('headers X-Team, Authorization');
    expect(text).not.toContain('secret-abc-9876');
    await card.getByRole('table', { name: 'Tools of remote' }).getByRole('row', { name: /^echo/ }).waitFor();
    await card.getByRole('button', { name: 'Remove remote' }).click();
    await page.getByRole('dialog', { name: 'Remove remote?' }).getByRole('button', { name: 'Remove' }).click();
    await card.waitFor({ state: 'detached' });
  });

  test('dark theme: an approval card in a chat', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await newChatWith(MODEL);
    await page.getByRole('button', { name: 'Tools', exact: true }).click();
    await page.getByRole('dialog', { name: 'Tools' }).getByRole('checkbox', { name: new RegExp(`^${SERVER}`) }).check();
    await page.keyboard.press('Escape');
    const message = page.getByRole('textbox', { name: 'Message' });
    await message.fill('Echo in the dark');
    await message.press('Enter');
    const card = assistantAt(2).getByRole('group', { name: 'Tool call approval' });
    await card.waitFor({ timeout: 30_000 });
    await screenshot('mcp-14-approval-dark');
    await card.getByRole('button', { name: 'Allow once' }).click();
    await assistantAt(2).getByText(/The echo tool answered/).waitFor({ timeout: 30_000 });
    await screenshot('mcp-15-result-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
