import { useEffect, useId, useRef, type KeyboardEvent } from 'react';
import type { LabTab } from '../../store/lab-slice';
import { useAppStore } from '../../store/store-context';
import { NoticeList } from '../chat/notice-list';
import { RefreshIcon } from '../common/icons';
import { LeaderboardTab } from './leaderboard-tab';
import { RunsTab } from './runs-tab';
import { TaskSetsTab } from './task-sets-tab';

const TABS: { id: LabTab; label: string }[] = [
  { id: 'sets', label: 'Task sets' },
  { id: 'runs', label: 'Runs' },
  { id: 'leaderboard', label: 'Leaderboard' },
];

/** The benchmark lab: task sets, runs of models over them with results and charts, and the leaderboard. */
export function LabPage() {
  const tab = useAppStore((s) => s.labTab);
  const showLabTab = useAppStore((s) => s.showLabTab);
  const loadLab = useAppStore((s) => s.loadLab);
  const running = useAppStore((s) => s.labLive !== null && (s.labLive.status === 'running' || s.labLive.status === 'starting'));
  const baseId = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  useEffect(() => {
    void loadLab();
  }, [loadLab]);

  // Arrow keys move between tabs (the WAI-ARIA tabs pattern, as the MCP details do).
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = TABS.findIndex((t) => t.id === tab);
    let next: number;
    if (event.key === 'ArrowRight') next = (index + 1) % TABS.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + TABS.length) % TABS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = TABS.length - 1;
    else return;
    event.preventDefault();
    showLabTab(TABS[next]!.id);
    tabRefs.current[next]?.focus();
  };

  return (
    <div className="page lab">
      <header className="page__header">
        <h1 className="page__title">Benchmark lab</h1>
        <button type="button" className="button" onClick={() => void loadLab()}>
          <RefreshIcon />
          Refresh
        </button>
      </header>
      <NoticeList />
      <div className="page__body lab__body">
        <div role="tablist" aria-label="Lab" className="tabs" onKeyDown={onKeyDown}>
          {TABS.map((t, i) => (
            <button
              key={t.id}
              ref={(el) => {
                tabRefs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`${baseId}-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`${baseId}-panel`}
              tabIndex={tab === t.id ? 0 : -1}
              className={`tabs__tab${tab === t.id ? ' is-selected' : ''}`}
              onClick={() => showLabTab(t.id)}
            >
              {t.label}
              {t.id === 'runs' && running && <span className="lab__running-dot" aria-hidden="true" title="A run is going" />}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`${baseId}-panel`} aria-labelledby={`${baseId}-tab-${tab}`} className="lab__panel">
          {tab === 'sets' && <TaskSetsTab />}
          {tab === 'runs' && <RunsTab />}
          {tab === 'leaderboard' && <LeaderboardTab />}
        </div>
      </div>
    </div>
  );
}
