import type { Theme } from '../../../../shared/ipc/domain';
import { useAppStore } from '../../store/store-context';
import { MonitorIcon, MoonIcon, SunIcon } from '../common/icons';

const OPTIONS: { value: Theme; label: string; Icon: typeof SunIcon }[] = [
  { value: 'system', label: 'System', Icon: MonitorIcon },
  { value: 'light', label: 'Light', Icon: SunIcon },
  { value: 'dark', label: 'Dark', Icon: MoonIcon },
];

/** System / Light / Dark, as native radio buttons (arrow keys move between them). */
export function ThemeToggle() {
  const theme = useAppStore((s) => s.settings?.theme ?? 'system');
  const ready = useAppStore((s) => s.settings !== null);
  const setTheme = useAppStore((s) => s.setTheme);

  return (
    <fieldset className="segmented" disabled={!ready}>
      <legend className="sr-only">Theme</legend>
      {OPTIONS.map(({ value, label, Icon }) => (
        <label key={value} className={`segmented__option${theme === value ? ' is-checked' : ''}`} title={`${label} theme`}>
          <input
            type="radio"
            name="theme"
            value={value}
            className="segmented__input"
            checked={theme === value}
            onChange={() => void setTheme(value)}
          />
          <Icon />
          <span className="sr-only">{label}</span>
        </label>
      ))}
    </fieldset>
  );
}
