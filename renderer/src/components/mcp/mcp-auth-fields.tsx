import { useState, type ReactNode } from 'react';
import type { McpAuthConfigInput, McpAuthConfigView } from '../../../../shared/ipc/routes/mcp';
import { Field } from '../common/field';

/** `automatic`: nothing configured, OAuth with discovery when the server answers 401 (the core's default). */
type AuthType = 'automatic' | 'oauth' | 'client-credentials';
type Credential = 'secret' | 'private-key';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'EdDSA'] as const;
type Algorithm = (typeof ALGORITHMS)[number];

const CHOICES: [AuthType, string][] = [
  ['automatic', 'None / automatic'],
  ['oauth', 'OAuth with a client ID'],
  ['client-credentials', 'Client credentials'],
];

/** The Authentication part of an HTTP server's form: its state, what it sends, and what is missing. */
export interface AuthFieldsState {
  /** The `auth` the server input carries (undefined: automatic, OAuth when the server asks). */
  input: McpAuthConfigInput | undefined;
  /** What must be filled in before saving, or null. */
  problem: string | null;
  render: () => ReactNode;
}

/**
 * "None / automatic" needs nothing: when the server answers 401 Tandem finds its
 * authorization server and registers itself. "OAuth with a client ID" is for
 * servers that want a pre-registered client; "Client credentials" signs in as a
 * machine (a secret, or a private key for private_key_jwt), no browser.
 * Secrets are sent once and only come back masked; left empty when editing, the
 * stored one is kept.
 */
/** What the form starts on: a stored config with no client (or `none`, set elsewhere) shows as automatic. */
function initialType(view: McpAuthConfigView | null | undefined): AuthType {
  if (!view || view.type === 'none' || (view.type === 'oauth' && view.clientId === null)) return 'automatic';
  return view.type;
}

export function useAuthFields(initial: McpAuthConfigView | null | undefined): AuthFieldsState {
  const editing = initial !== undefined && initial !== null;
  const startType = initialType(initial);
  const [type, setType] = useState<AuthType>(startType);
  const [clientId, setClientId] = useState(initial?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [scope, setScope] = useState(initial?.scope ?? '');
  const [credential, setCredential] = useState<Credential>(initial?.privateKey ? 'private-key' : 'secret');
  const [privateKeyPem, setPrivateKeyPem] = useState('');
  const [algorithm, setAlgorithm] = useState<Algorithm>((ALGORITHMS as readonly string[]).includes(initial?.signingAlgorithm ?? '') ? (initial!.signingAlgorithm as Algorithm) : 'RS256');

  const storedSecret = editing && initial.clientSecret !== null;
  const storedKey = editing && initial.privateKey;
  const id = clientId.trim();
  const extra = scope.trim() ? { scope: scope.trim() } : {};

  let input: McpAuthConfigInput | undefined;
  let problem: string | null = null;
  if (type === 'oauth') {
    input = { type: 'oauth', ...(id ? { clientId: id } : {}), ...(clientSecret ? { clientSecret } : {}), ...extra };
    if (!id) problem = 'Authentication: enter the client ID.';
  } else if (type === 'client-credentials') {
    const secretPart = credential === 'secret' ? (clientSecret ? { clientSecret } : {}) : { ...(privateKeyPem.trim() ? { privateKeyPem: privateKeyPem.trim() } : {}), signingAlgorithm: algorithm };
    input = { type: 'client-credentials', clientId: id, ...secretPart, ...extra };
    if (!id) problem = 'Authentication: enter the client ID.';
    else if (credential === 'secret' && !clientSecret && !storedSecret) problem = 'Authentication: enter the client secret.';
    else if (credential === 'private-key' && !privateKeyPem.trim() && !storedKey) problem = 'Authentication: paste the private key (PEM).';
    else if (credential === 'private-key' && privateKeyPem.trim() && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKeyPem)) problem = 'Authentication: the private key must be PEM (-----BEGIN PRIVATE KEY-----).';
  } else if (editing && startType !== 'automatic') {
    // Switching back to automatic forgets the configured client (left out, the stored config would be kept).
    input = { type: 'oauth' };
  }

  const keepHint = (stored: boolean) => (stored ? ' Left empty, the stored one is kept.' : '');

  const render = () => (
    <fieldset className="field form__wide mcp-transport mcp-auth">
      <legend className="field__label">Authentication</legend>
      <div className="segmented" role="radiogroup" aria-label="Authentication">
        {CHOICES.map(([value, label]) => (
          <label key={value} className={`segmented__option${type === value ? ' is-checked' : ''}`}>
            <input className="segmented__input" type="radio" name="mcp-auth" value={value} checked={type === value} onChange={() => setType(value)} />
            {label}
          </label>
        ))}
      </div>
      {type === 'automatic' && (
        <span className="field__hint">Nothing to set up: when the server asks for sign-in (OAuth), Tandem finds its sign-in page and shows a Sign in button.</span>
      )}
      {type !== 'automatic' && (
        <div className="form__grid mcp-auth__fields">
          <Field label="Client ID">
            <input className="input" value={clientId} required autoComplete="off" spellCheck={false} onChange={(e) => setClientId(e.target.value)} />
          </Field>
          {type === 'client-credentials' && (
            <fieldset className="field mcp-transport">
              <legend className="field__label">Credential</legend>
              <div className="segmented" role="radiogroup" aria-label="Credential">
                {(
                  [
                    ['secret', 'Client secret'],
                    ['private-key', 'Private key (JWT)'],
                  ] as const
                ).map(([value, label]) => (
                  <label key={value} className={`segmented__option${credential === value ? ' is-checked' : ''}`}>
                    <input className="segmented__input" type="radio" name="mcp-auth-credential" value={value} checked={credential === value} onChange={() => setCredential(value)} />
                    {label}
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          {(type === 'oauth' || credential === 'secret') && (
            <Field
              label="Client secret"
              hint={`${type === 'oauth' ? 'Optional (public clients have none). ' : ''}Stored encrypted.${keepHint(storedSecret)}${storedSecret ? ` Stored: ${initial.clientSecret}` : ''}`}
            >
              <input className="input input--secret" type="password" autoComplete="off" value={clientSecret} onChange={(e) => setClientSecret(e.target.value)} />
            </Field>
          )}
          {type === 'client-credentials' && credential === 'private-key' && (
            <>
              <Field label="Private key (PEM)" hint={`Signs a private_key_jwt assertion; stored encrypted.${keepHint(storedKey)}`} className="form__wide">
                <textarea
                  className="input input--multiline input--code input--secret"
                  rows={4}
                  spellCheck={false}
                  autoComplete="off"
                  value={privateKeyPem}
                  placeholder="-----BEGIN PRIVATE KEY-----"
                  onChange={(e) => setPrivateKeyPem(e.target.value)}
                />
              </Field>
              <Field label="Signing algorithm">
                <select className="input" value={algorithm} onChange={(e) => setAlgorithm(e.target.value as Algorithm)}>
                  {ALGORITHMS.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </select>
              </Field>
            </>
          )}
          <Field label="Scope" hint="Optional: extra scopes, separated by spaces.">
            <input className="input" value={scope} spellCheck={false} placeholder="e.g. read write" onChange={(e) => setScope(e.target.value)} />
          </Field>
        </div>
      )}
    </fieldset>
  );

  return { input, problem, render };
}
