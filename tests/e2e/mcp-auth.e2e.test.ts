import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startOAuthTestServer, type OAuthTestServer } from '../fixtures/oauth-test-server';
import { startServe, type ServeProcess } from '../support/serve-process';
import { ARTIFACTS, REPO_ROOT, launchChromium, openTandem, prepareE2e } from '../support/e2e-browser';

/**
 * Issue 13 as a person meets it (serve mode, Chromium):
 *
 * - a remote MCP server that needs OAuth (a local test authorization server)
 *   is added by URL on the MCP page; its card asks to sign in; "Sign in"
 *   offers the consent page as a link ("Open the sign-in page"); on that page
 *   the user presses Allow; the card then says who is signed in and the
 *   server's tool answers with the token's account;
 * - a server asks for input mid-call (server-everything's elicitation tool):
 *   a form naming the server opens, built from the requested schema with its
 *   defaults filled in; a wrong value is caught; Accept sends the values and
 *   the tool's result shows them; Decline is sent as such.
 *
 * Screenshots go to artifacts/e2e (mcp-auth-*.png), and to $TANDEM_SHOTS_DIR when set.
 */

const EVERYTHING = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const ACCOUNT = { sub: 'user-42', email: 'ada@example.com', name: 'Ada Lovelace' };
const SECURE = 'secure';
const EVERY = 'everything';
const POLL = { timeout: 20_000, interval: 100 };

let workDir = '';
let server: ServeProcess | null = null;
let oauth: OAuthTestServer | null = null;
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

async function screenshot(name: string, target?: Locator | Page): Promise<void> {
  const dirs = [ARTIFACTS, ...(process.env.TANDEM_SHOTS_DIR ? [process.env.TANDEM_SHOTS_DIR] : [])];
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${name}.png`);
    if (target) await target.screenshot({ path });
    else await page.screenshot({ path, fullPage: true });
  }
}

function card(name: string): Locator {
  return page.getByRole('article', { name, exact: true });
}

/** Fills the Add server form and submits it. */
async function addServer(input: { name: string; url: string } | { name: string; command: string; args: string }): Promise<void> {
  const form = page.getByRole('form', { name: 'Add server' });
  await form.getByRole('textbox', { name: 'Server name', exact: true }).fill(input.name);
  if ('url' in input) {
    await form.getByRole('radio', { name: 'HTTP' }).check();
    await form.getByRole('textbox', { name: 'URL', exact: true }).fill(input.url);
    // Nothing to set up: OAuth starts when the server answers 401.
    expect(await form.getByRole('radio', { name: 'None / automatic' }).isChecked()).toBe(true);
    // The other choices ask for what they need (and nothing is saved without it).
    await form.getByRole('radio', { name: 'Client credentials' }).check();
    await form.getByRole('textbox', { name: 'Client ID' }).fill('machine-client');
    await form.getByText('Authentication: enter the client secret.').waitFor();
    expect(await form.getByRole('button', { name: 'Add server' }).isDisabled()).toBe(true);
    await form.getByRole('radio', { name: 'Private key (JWT)' }).check();
    await form.getByRole('combobox', { name: 'Signing algorithm' }).selectOption('ES256');
    await form.getByText('Authentication: paste the private key (PEM).').waitFor();
    await screenshot('mcp-auth-04-auth-choices', form);
    await form.getByRole('radio', { name: 'None / automatic' }).check();
    expect(await form.getByRole('button', { name: 'Add server' }).isDisabled()).toBe(false);
  } else {
    await form.getByRole('radio', { name: 'Local command (stdio)' }).check();
    await form.getByRole('textbox', { name: 'Command' }).fill(input.command);
    await form.getByRole('textbox', { name: 'Arguments', exact: true }).fill(input.args);
  }
  await form.getByRole('button', { name: 'Add server' }).click();
  await card(input.name).waitFor();
}

/** Calls a tool from the card's Call tool form with these arguments; answers the result box. */
async function callTool(serverName: string, tool: string, args: Record<string, unknown>): Promise<Locator> {
  const serverCard = card(serverName);
  await serverCard.getByRole('button', { name: `Try ${tool}`, exact: true }).click();
  const callForm = serverCard.getByRole('form', { name: `Call a tool of ${serverName}` });
  await callForm.getByRole('textbox', { name: 'Tool arguments (JSON)' }).fill(JSON.stringify(args));
  await callForm.getByRole('button', { name: 'Call', exact: true }).click();
  return callForm.getByRole('status', { name: `Result of ${tool}` });
}

beforeAll(async () => {
  await prepareE2e();
  workDir = await mkdtemp(join(tmpdir(), 'tandem-e2e-mcp-auth-'));
  await mkdir(join(workDir, 'models'));
  oauth = await startOAuthTestServer({ account: ACCOUNT });
  server = await startServe({ dataDir: join(workDir, 'data'), modelsDir: join(workDir, 'models') });
  browser = await launchChromium();
  ({ context, page } = await openTandem(browser, server.url, { viewport: { width: 1280, height: 900 }, timeoutMs: 20_000 }));
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'MCP' }).click();
  await page.getByRole('heading', { name: 'MCP servers', level: 1 }).waitFor();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await oauth?.stop().catch(() => undefined);
  if (workDir) await rm(workDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') await screenshot(`mcp-auth-failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
});

describe('a server that needs OAuth', () => {
  test('is added by URL, signed in through the consent page, and its tool answers as the signed-in account', async () => {
    await addServer({ name: SECURE, url: oauth!.resourceUrl() });
    const secure = card(SECURE);
    const signIn = secure.getByRole('button', { name: 'Sign in', exact: true });
    await signIn.waitFor({ timeout: 30_000 });
    await screenshot('mcp-auth-00-sign-in-required', secure);
    await signIn.click();

    // Serve mode: the page offers the consent page as a link; it opens in a new tab.
    const link = secure.getByRole('link', { name: 'Open the sign-in page' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toContain(`${oauth!.origin}/authorize`);
    const [consent] = await Promise.all([context!.waitForEvent('page'), link.click()]);
    await consent.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await consent.getByRole('button', { name: 'Allow', exact: true }).click();
    // The redirect lands on Tandem's loopback listener for this flow.
    await consent.waitForURL(/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\//, { timeout: 20_000 });
    await consent.close();

    await secure.getByText(`Connected as ${ACCOUNT.email}`).or(secure.getByText('Authorized', { exact: true })).first().waitFor({ timeout: 30_000 });
    await secure.locator('.badge', { hasText: 'Ready' }).waitFor({ timeout: 30_000 });
    expect(await secure.getByRole('button', { name: 'Sign out', exact: true }).isVisible()).toBe(true);
    await screenshot('mcp-auth-01-signed-in', secure);

    const result = await callTool(SECURE, 'whoami', {});
    // The test server's whoami says whose token it got, and for which resource.
    await expect.poll(() => result.innerText(), POLL).toContain(`${ACCOUNT.email} with mcp:tools`);
    expect(await result.innerText()).toContain(`on ${oauth!.resourceUrl()}`);
    // Every MCP request after sign-in carried a token issued for this resource.
    const tokens = oauth!.seen.presented.filter((p) => p.token !== null).map((p) => p.resource);
    expect(tokens.length).toBeGreaterThan(0);
    expect(new Set(tokens)).toEqual(new Set([oauth!.resourceUrl()]));
    // The token never reaches the page.
    const issued = oauth!.seen.issued.map((t) => t.accessToken);
    const html = await page.content();
    for (const token of issued) expect(html).not.toContain(token);

    // Sign out forgets the token: the card asks to sign in again.
    await secure.getByRole('button', { name: 'Sign out', exact: true }).click();
    await secure.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: 30_000 });
    expect(await secure.getByText(`Connected as ${ACCOUNT.email}`).count()).toBe(0);
  });
});

describe('a server asking for input (elicitation)', () => {
  test('the form names the server, starts with the defaults, catches a wrong value, and Accept sends the values', async () => {
    await addServer({ name: EVERY, command: 'node', args: `${EVERYTHING}\nstdio` });
    const every = card(EVERY);
    await every.locator('.badge', { hasText: 'Ready' }).waitFor({ timeout: 45_000 });
    await every.getByRole('row', { name: /^trigger-elicitation-request/ }).waitFor();

    const result = await callTool(EVERY, 'trigger-elicitation-request', {});
    const dialog = page.getByRole('dialog', { name: `${EVERY} asks for input` });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`The server ${EVERY} asks for this information`);
    expect(await dialog.innerText()).toContain('Please provide inputs for the following fields');
    // Defaults are filled in (SEP-1034).
    expect(await dialog.getByRole('textbox', { name: 'String with default' }).inputValue()).toBe('It was a dark and stormy night.');
    expect(await dialog.getByRole('spinbutton', { name: 'Integer', exact: true }).inputValue()).toBe('42');
    expect(await dialog.getByRole('combobox', { name: 'Titled Single Select Enum', exact: true }).inputValue()).toBe('hero-1');
    expect(await dialog.getByRole('group', { name: 'Untitled Multiple Select Enum' }).getByRole('checkbox', { name: 'Guitar' }).isChecked()).toBe(true);

    await dialog.getByRole('textbox', { name: 'String', exact: true }).fill('Ada Lovelace');
    await dialog.getByRole('textbox', { name: 'String with email format' }).fill('not-an-email');
    await dialog.getByRole('checkbox', { name: 'Boolean', exact: true }).check();
    await dialog.getByRole('spinbutton', { name: 'Integer', exact: true }).fill('7');
    await dialog.getByRole('combobox', { name: 'Titled Single Select Enum', exact: true }).selectOption({ label: 'Wonder Woman' });
    await dialog.getByRole('button', { name: 'Accept', exact: true }).click();
    // Caught before anything is sent: the form stays, the field says why.
    await dialog.getByText('Must be an email address').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'String with email format' }).getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('textbox', { name: 'String with email format' }).fill('ada@example.com');
    expect(await dialog.getByText('Must be an email address').count()).toBe(0);
    await dialog.getByText('Please provide inputs for the following fields').scrollIntoViewIfNeeded();
    await screenshot('mcp-auth-02-elicitation-form', page);
    await dialog.getByRole('button', { name: 'Accept', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });

    await expect.poll(() => result.innerText(), POLL).toContain('User provided the requested information');
    const text = await result.innerText();
    expect(text).toContain('- Name: Ada Lovelace');
    expect(text).toContain('- Email: ada@example.com');
    expect(text).toContain('- Agreed to terms: true');
    expect(text).toContain('- Favorite Integer: 7');
    // Wonder Woman is hero-3; the multi-select default went back as it was.
    expect(text).toContain('"titledSingleSelectEnum": "hero-3"');
    expect(text).toMatch(/"untitledMultipleSelectEnum": \[\s*"Guitar"\s*\]/);
  });

  test('URL mode shows the link first and opens it only when the user chooses to', async () => {
    const target = `${oauth!.origin}/.well-known/oauth-authorization-server`;
    const result = await callTool(EVERY, 'trigger-url-elicitation', { url: target, message: 'Verify your account on the test server' });
    const dialog = page.getByRole('dialog', { name: `${EVERY} asks you to open a link` });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('Verify your account on the test server');
    expect(await dialog.innerText()).toContain(target);
    expect(context!.pages()).toHaveLength(1);
    await screenshot('mcp-auth-03-elicitation-url', page);
    const [opened] = await Promise.all([context!.waitForEvent('page'), dialog.getByRole('link', { name: 'Open the link' }).click()]);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(target);
    await opened.close();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => result.innerText(), POLL).toContain('User completed the URL elicitation flow');
  });

  test('Decline is sent as such, with nothing typed in the form', async () => {
    const result = await callTool(EVERY, 'trigger-elicitation-request', {});
    const dialog = page.getByRole('dialog', { name: `${EVERY} asks for input` });
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: 'String', exact: true }).fill('not to be sent');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot('mcp-auth-05-elicitation-dark', page);
    await page.emulateMedia({ colorScheme: 'light' });
    await dialog.getByRole('button', { name: 'Decline', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => result.innerText(), POLL).toContain('User declined');
    expect(await result.innerText()).not.toContain('not to be sent');
  });
});
