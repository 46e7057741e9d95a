import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import type { McpPrompt } from '../../../../shared/ipc/routes/mcp';
import { describeError } from '../../client/tandem-client-error';
import { focusComposer } from '../../lib/dom-ids';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../common/dialog';
import { Field } from '../common/field';

interface PromptChoice {
  server: string;
  prompt: McpPrompt;
}

const MAX_SHOWN = 50;

/** Asks for a prompt's arguments before it is fetched. Portalled out of the composer's form, so the two forms never nest. */
function PromptArgsDialog({ choice, onSubmit, onClose }: { choice: PromptChoice; onSubmit: (args: Record<string, string>) => void; onClose: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const missing = choice.prompt.arguments.some((arg) => arg.required && !values[arg.name]?.trim());
  return createPortal(
    <Dialog open title={`Prompt ${choice.prompt.name}`} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          // React events bubble through portals: keep the composer's form from sending.
          event.stopPropagation();
          if (missing) return;
          onSubmit(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== '')));
        }}
      >
        <div className="dialog__body form">
          {choice.prompt.description && <p className="field__hint">{choice.prompt.description}</p>}
          {choice.prompt.arguments.map((arg, index) => (
            <Field
              key={arg.name}
              label={
                <>
                  {arg.name}
                  {!arg.required && <span className="muted"> (optional)</span>}
                </>
              }
              hint={arg.description ?? undefined}
            >
              <input
                className="input"
                required={arg.required}
                autoFocus={index === 0}
                value={values[arg.name] ?? ''}
                onChange={(event) => setValues((before) => ({ ...before, [arg.name]: event.target.value }))}
              />
            </Field>
          ))}
        </div>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button--primary" disabled={missing}>
            Use prompt
          </button>
        </div>
      </form>
    </Dialog>,
    document.body,
  );
}

/**
 * The "/" menu: typing "/" at the start of an empty composer lists the
 * prompts of ready MCP servers (filtered by what follows the slash). Arrow
 * keys move, Enter or Tab choose, Escape closes; choosing asks for the
 * prompt's arguments, fetches it, and puts its text in the composer.
 */
export function usePromptMenu() {
  const draft = useAppStore((s) => s.draft);
  const setDraft = useAppStore((s) => s.setDraft);
  const servers = useAppStore((s) => s.mcpServers);
  const getMcpPrompt = useAppStore((s) => s.getMcpPrompt);
  const notify = useAppStore((s) => s.notify);
  const [active, setActive] = useState(0);
  const [dismissedFor, setDismissedFor] = useState<string | null>(null);
  const [asking, setAsking] = useState<PromptChoice | null>(null);
  const listId = useId();

  const query = /^\/(\S*)$/.exec(draft)?.[1];
  const choices = useMemo(() => {
    if (query === undefined) return [];
    const needle = query.toLowerCase();
    return servers
      .filter((s) => s.state === 'ready')
      .flatMap((s) => s.prompts.map((prompt) => ({ server: s.name, prompt })))
      .filter((c) => c.prompt.name.toLowerCase().includes(needle) || c.server.toLowerCase().includes(needle))
      .slice(0, MAX_SHOWN);
  }, [servers, query]);
  const open = query !== undefined && dismissedFor !== draft && asking === null;
  const activeIndex = Math.min(active, Math.max(0, choices.length - 1));

  const fetchPrompt = async (choice: PromptChoice, args: Record<string, string>) => {
    setAsking(null);
    try {
      const result = await getMcpPrompt(choice.server, choice.prompt.name, args);
      const users = result.messages.filter((m) => m.role === 'user');
      setDraft((users.length ? users : result.messages).map((m) => m.text).join('\n\n'));
    } catch (error) {
      notify(`Could not get the prompt ${choice.prompt.name}: ${describeError(error)}`);
    }
    focusComposer();
  };

  const choose = (choice: PromptChoice | undefined) => {
    if (!choice) return;
    setActive(0);
    if (choice.prompt.arguments.length > 0) setAsking(choice);
    else void fetchPrompt(choice, {});
  };

  /** True when the menu handled the key. */
  const onKeyDown = (event: KeyboardEvent): boolean => {
    if (!open || choices.length === 0) {
      if (open && event.key === 'Escape') {
        setDismissedFor(draft);
        return true;
      }
      return false;
    }
    if (event.key === 'ArrowDown') setActive((activeIndex + 1) % choices.length);
    else if (event.key === 'ArrowUp') setActive((activeIndex - 1 + choices.length) % choices.length);
    else if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') choose(choices[activeIndex]);
    else if (event.key === 'Escape') setDismissedFor(draft);
    else return false;
    event.preventDefault();
    return true;
  };

  const showList = open && choices.length > 0;
  const optionId = (index: number) => `${listId}-option-${index}`;
  const inputProps = {
    'aria-autocomplete': 'list' as const,
    'aria-controls': showList ? listId : undefined,
    'aria-activedescendant': showList ? optionId(activeIndex) : undefined,
  };

  const menu = (
    <>
      {showList && (
        <ul id={listId} role="listbox" aria-label="Prompts" className="prompt-menu">
          {choices.map((choice, index) => (
            <li
              key={`${choice.server}/${choice.prompt.name}`}
              id={optionId(index)}
              role="option"
              aria-selected={index === activeIndex}
              className={`prompt-menu__option${index === activeIndex ? ' is-active' : ''}`}
              onMouseDown={(event) => event.preventDefault()}
              onMouseEnter={() => setActive(index)}
              onClick={() => choose(choice)}
            >
              <span className="prompt-menu__name">/{choice.prompt.name}</span>
              <span className="prompt-menu__server">{choice.server}</span>
              {choice.prompt.description && <span className="prompt-menu__description">{choice.prompt.description}</span>}
            </li>
          ))}
        </ul>
      )}
      {open && choices.length === 0 && servers.some((s) => s.state === 'ready' && s.prompts.length > 0) && (
        <p className="prompt-menu prompt-menu--empty" role="status">
          No prompt matches.
        </p>
      )}
      {asking && (
        <PromptArgsDialog
          choice={asking}
          onSubmit={(args) => void fetchPrompt(asking, args)}
          onClose={() => {
            setAsking(null);
            focusComposer();
          }}
        />
      )}
    </>
  );

  /** Typing past the "/" (or clearing it) lets a later "/" open the menu again after Escape. */
  const noteDraft = (text: string) => {
    if (dismissedFor !== null && !text.startsWith('/')) setDismissedFor(null);
  };

  return { menu, onKeyDown, inputProps, noteDraft };
}
