import type { Page } from '../store/navigation-slice';
import { useAppStore } from '../store/store-context';
import { ApiIcon, ChartIcon, ChatIcon, ChipIcon, CloudIcon, DocumentIcon, FlaskIcon, GamesIcon, PlugIcon } from './common/icons';

const PAGES: { page: Page; label: string; Icon: typeof ChatIcon }[] = [
  { page: 'chats', label: 'Chats', Icon: ChatIcon },
  { page: 'models', label: 'Models', Icon: ChipIcon },
  { page: 'providers', label: 'Providers', Icon: CloudIcon },
  { page: 'documents', label: 'Documents', Icon: DocumentIcon },
  { page: 'mcp', label: 'MCP', Icon: PlugIcon },
  { page: 'usage', label: 'Usage', Icon: ChartIcon },
  { page: 'lab', label: 'Lab', Icon: FlaskIcon },
  { page: 'api', label: 'API', Icon: ApiIcon },
  { page: 'games', label: 'Games', Icon: GamesIcon },
];

/** The narrow rail that switches between Chats, Models, Providers, Documents, MCP, Usage, Lab, API and Games; plain buttons, so Tab and Enter work. */
export function PageRail() {
  const current = useAppStore((s) => s.page);
  const showPage = useAppStore((s) => s.showPage);

  return (
    <nav className="page-rail" aria-label="Pages">
      <span className="brand-mark" aria-hidden="true">
        T
      </span>
      <ul className="page-rail__items">
        {PAGES.map(({ page, label, Icon }) => (
          <li key={page}>
            <button
              type="button"
              className={`page-rail__button${current === page ? ' is-current' : ''}`}
              aria-current={current === page ? 'page' : undefined}
              title={label}
              onClick={() => showPage(page)}
            >
              <Icon />
              <span className="page-rail__label">{label}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
