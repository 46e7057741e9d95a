import type { KeyboardEvent } from 'react';
import { COMPOSER_INPUT_ID } from '../../lib/dom-ids';
import { useAppStore } from '../../store/store-context';
import { SendIcon, StopIcon } from '../common/icons';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import { CompareChip } from '../compare/compare-chip';
import { NEW_CHAT_KEY } from '../../store/compare-slice';
import { CollectionsControl } from './collections-control';
import { PromptEstimate } from './prompt-estimate';
import { usePromptMenu } from './prompt-menu';
import { AttachedResourceChips, ResourcePicker } from './resource-picker';
import { ToolsPopover } from './tools-popover';

/** Where a message is written: Enter sends, Shift+Enter adds a line, Stop ends a running answer. */
export function Composer() {
  const draft = useAppStore((s) => s.draft);
  const setDraft = useAppStore((s) => s.setDraft);
  const restoreDraft = useAppStore((s) => s.restoreDraft);
  const sendMessage = useAppStore((s) => s.sendMessage);
  const stopStreaming = useAppStore((s) => s.stopStreaming);
  const sendCompare = useAppStore((s) => s.sendCompare);
  const comparing = useAppStore((s) => s.compareModes[s.activeChatId ?? NEW_CHAT_KEY] !== undefined);
  const activeChatId = useAppStore((s) => s.activeChatId);
  // Only whether an answer runs here (not its text), so the composer does not re-render every frame.
  const streamState = useAppStore((s) => {
    const progress = s.activeChatId ? s.streams[s.activeChatId] : undefined;
    return progress ? (progress.stopping ? 'stopping' : 'answering') : 'idle';
  });
  /** The selected model's display name, when it can answer (a usable local file or a listed cloud model). */
  const modelName = useAppStore((s) => {
    if (s.selectedModelId === AUTO_MODEL_ID) return 'Auto';
    const local = s.models.find((m) => m.id === s.selectedModelId && m.problem === null);
    if (local) return local.name;
    const id = s.selectedModelId;
    return id && Object.values(s.cloudModels).some((list) => list.some((m) => m.id === id)) ? id : null;
  });

  const promptMenu = usePromptMenu();
  const hasPrompts = useAppStore((s) => s.mcpServers.some((server) => server.state === 'ready' && server.prompts.length > 0));
  const answering = streamState !== 'idle';
  const canSend = draft.trim().length > 0 && (modelName !== null || comparing) && !answering;

  const submit = async () => {
    if (!canSend) return;
    const text = draft;
    setDraft('');
    const sent = comparing ? await sendCompare(text) : await sendMessage(text);
    if (!sent) restoreDraft(text);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (promptMenu.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    } else if (event.key === 'Escape' && answering && activeChatId) {
      event.preventDefault();
      void stopStreaming(activeChatId);
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <CollectionsControl />
      <CompareChip />
      <div className="composer__box">
        {promptMenu.menu}
        <AttachedResourceChips />
        <div className="composer__row">
        <textarea
          id={COMPOSER_INPUT_ID}
          className="composer__input"
          aria-label="Message"
          rows={1}
          placeholder={comparing ? 'Message every model of the compare…' : modelName ? `Message ${modelName}…` : 'Choose a model to start chatting'}
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            promptMenu.noteDraft(event.target.value);
          }}
          onKeyDown={onKeyDown}
          {...promptMenu.inputProps}
        />
        {answering ? (
          <button
            type="button"
            className="composer__stop"
            disabled={streamState === 'stopping'}
            title="Stop the answer (Esc)"
            onClick={() => activeChatId && void stopStreaming(activeChatId)}
          >
            <StopIcon />
            Stop
          </button>
        ) : (
          <button type="submit" className="composer__send" disabled={!canSend} title="Send (Enter)">
            <SendIcon />
            <span className="sr-only">Send</span>
          </button>
        )}
        </div>
        <div className="composer__tools">
          <ResourcePicker />
          <ToolsPopover />
        </div>
      </div>
      <PromptEstimate />
      <p className="composer__hint">
        <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
        {hasPrompts && (
          <>
            {' '}
            · <kbd>/</kbd> for prompts
          </>
        )}
        {answering && (
          <>
            {' '}
            · <kbd>Esc</kbd> to stop
          </>
        )}
      </p>
    </form>
  );
}
