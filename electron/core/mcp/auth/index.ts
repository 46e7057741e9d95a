/**
 * OAuth for HTTP MCP servers (issue 13). The host's way in is
 * `McpHost.login(name)` / `McpHost.logout(name)` and `McpHostOptions.auth`
 * ({@link McpAuthOptions}); a server's sign-in state is `McpServerStatus.auth`.
 * See docs/mcp-oauth.md.
 */
export { accountFromTokens } from './account';
export { AuthStore, type ServerAuthData } from './auth-store';
export { LoopbackRedirect } from './loopback-redirect';
export { AuthRequiredError, RedirectMovedError, ServerAuth, type McpAuthOptions, type ResolvedAuthConfig } from './server-auth';
