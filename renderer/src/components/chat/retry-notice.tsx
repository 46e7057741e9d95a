import { useEffect, useState } from 'react';
import type { RetryPart } from '../../../../shared/ipc/stream-parts';

const TITLES: Partial<Record<string, string>> = {
  RATE_LIMITED: 'Rate limited',
  TIMEOUT: 'The provider timed out',
  NETWORK: 'Could not reach the provider',
  SERVER: 'The provider failed',
};

/** "Rate limited (RATE_LIMITED) — retrying in 2 s, attempt 2 of 3", counting down while the backend waits. */
export function RetryNotice({ retry }: { retry: RetryPart }) {
  // A new retry part (the next attempt) restarts the countdown: the parent keys this by attempt.
  const [deadline] = useState(() => Date.now() + retry.delayMs);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.ceil(Math.max(0, deadline - now) / 1000);
  const title = TITLES[retry.code] ?? 'The request failed';
  return (
    <div className="message__retry" role="status" aria-live="polite" title={retry.message}>
      <span className="message__retry-spinner" aria-hidden="true" />
      <span>
        {title} (<code>{retry.code}</code>) — {seconds > 0 ? `retrying in ${seconds} s` : 'retrying now'}, attempt {retry.attempt} of {retry.maxAttempts}
      </span>
    </div>
  );
}
