import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import { useStickToBottom } from '../../hooks/use-stick-to-bottom';
import { useAppStore } from '../../store/store-context';
import { ArrowDownIcon } from '../common/icons';
import { MessageItem } from './message-item';
import { CompareGroup } from '../compare/compare-group';
import { messageRows } from '../compare/compare-rows';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import { answeringModelId } from '../../store/stream-reducer';

const ESTIMATED_ROW_PX = 120;

/**
 * The open chat's messages as a virtual list: only rows near the viewport are
 * in the DOM, each measured as it renders, so a long chat stays fast.
 */
export function MessageList() {
  const messages = useAppStore((s) => s.messages);
  const models = useAppStore((s) => s.models);
  const reasoning = useAppStore((s) => (s.activeChatId ? (s.streams[s.activeChatId]?.reasoning ?? '') : ''));
  const retry = useAppStore((s) => (s.activeChatId ? (s.streams[s.activeChatId]?.retry ?? null) : null));
  const tools = useAppStore((s) => (s.activeChatId ? (s.streams[s.activeChatId]?.tools ?? null) : null));
  const queued = useAppStore((s) => (s.activeChatId ? (s.streams[s.activeChatId]?.queued ?? null) : null));
  const scrollRef = useRef<HTMLDivElement>(null);
  const modelNames = useMemo(() => new Map(models.map((model) => [model.id, model.name])), [models]);
  // A compare's columns share one row.
  const rows = useMemo(() => messageRows(messages), [messages]);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: 4,
    paddingStart: 24,
    paddingEnd: 24,
    useFlushSync: false,
  });
  const totalSize = virtualizer.getTotalSize();
  const last = messages.at(-1);
  const { stuck, onScroll, scrollToBottom } = useStickToBottom(scrollRef, `${messages.length}:${last?.text.length ?? 0}:${totalSize}:${tools?.length ?? 0}`);

  return (
    <div className="message-pane">
      <div className="message-scroller" ref={scrollRef} onScroll={onScroll}>
        <div className="message-canvas" style={{ height: totalSize }}>
        {virtualizer.getVirtualItems().map((row) => {
          const listRow = rows[row.index];
          if (!listRow) return null;
          if (listRow.kind === 'compare') {
            return (
              <div key={row.key} ref={virtualizer.measureElement} data-index={row.index} className="message-row message-row--compare" style={{ transform: `translateY(${row.start}px)` }}>
                <CompareGroup groupId={listRow.groupId} messages={listRow.messages} />
              </div>
            );
          }
          const message = listRow.message;
          const isLive = message.status === 'streaming';
          const answeredBy = answeringModelId(message);
          return (
            <div
              key={row.key}
              ref={virtualizer.measureElement}
              data-index={row.index}
              className="message-row"
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <MessageItem
                message={message}
                position={listRow.position}
                modelName={answeredBy ? (answeredBy === AUTO_MODEL_ID ? 'Auto' : (modelNames.get(answeredBy) ?? answeredBy)) : null}
                reasoning={isLive ? reasoning : ''}
                retry={isLive ? retry : null}
                tools={isLive ? tools : null}
                queued={isLive ? queued : null}
              />
            </div>
          );
        })}
        </div>
      </div>
      {!stuck && (
        <button type="button" className="jump-to-latest" onClick={scrollToBottom}>
          <ArrowDownIcon />
          Jump to latest
        </button>
      )}
    </div>
  );
}
