import { NEW_CHAT_KEY } from '../../store/compare-slice';
import { useAppStore } from '../../store/store-context';
import { ColumnsIcon } from './compare-icon';
import { useModelName } from './model-options';

/** Above the composer while compare mode is on: "Comparing N models", and the way out. */
export function CompareChip() {
  const chatId = useAppStore((s) => s.activeChatId);
  const mode = useAppStore((s) => s.compareModes[s.activeChatId ?? NEW_CHAT_KEY] ?? null);
  const stopCompareMode = useAppStore((s) => s.stopCompareMode);
  const modelName = useModelName();
  if (!mode) return null;
  const names = mode.modelIds.map(modelName).join(', ');
  return (
    <div className="compare-chip" role="group" aria-label="Compare mode">
      <ColumnsIcon />
      <span className="compare-chip__text" title={names}>
        Comparing {mode.modelIds.length} models{mode.blind ? ' (blind)' : ''}
        <span className="compare-chip__models">: {names}</span>
      </span>
      <button type="button" className="link-button compare-chip__stop" onClick={() => stopCompareMode(chatId)}>
        Stop comparing
      </button>
    </div>
  );
}
