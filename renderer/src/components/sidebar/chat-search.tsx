import { useEffect, useState } from 'react';
import { useAppStore } from '../../store/store-context';
import { SearchIcon } from '../common/icons';

const SEARCH_DELAY_MS = 150;

/** Filters the chat list by title (the backend does the matching). */
export function ChatSearch() {
  const setChatQuery = useAppStore((s) => s.setChatQuery);
  const [value, setValue] = useState('');

  useEffect(() => {
    const timer = setTimeout(() => setChatQuery(value), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [value, setChatQuery]);

  return (
    <div className="search">
      <SearchIcon className="search__icon" />
      <input
        type="search"
        className="search__input"
        aria-label="Search chats"
        placeholder="Search chats"
        value={value}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape' && value) {
            event.preventDefault();
            setValue('');
          }
        }}
      />
    </div>
  );
}
