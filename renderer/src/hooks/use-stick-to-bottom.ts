import { useCallback, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** Within this many pixels of the bottom counts as "at the bottom". */
const BOTTOM_SLACK_PX = 48;

/**
 * Keeps a scroller pinned to its bottom as content grows (a streaming
 * answer), until the person scrolls up; scrolling back down pins it again.
 * `contentKey` is anything that changes when the content may have grown.
 */
export function useStickToBottom(scrollRef: RefObject<HTMLElement | null>, contentKey: unknown) {
  const [stuck, setStuck] = useState(true);
  const stuckRef = useRef(true);

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
    if (atBottom !== stuckRef.current) {
      stuckRef.current = atBottom;
      setStuck(atBottom);
    }
  }, [scrollRef]);

  const scrollToBottom = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    stuckRef.current = true;
    setStuck(true);
    el.scrollTop = el.scrollHeight;
  }, [scrollRef]);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && stuckRef.current) el.scrollTop = el.scrollHeight;
  }, [scrollRef, contentKey]);

  return { stuck, onScroll, scrollToBottom };
}
