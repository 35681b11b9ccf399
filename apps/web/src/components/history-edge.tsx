import type { ChatModel, RoomEntry } from '../chat-model';
import { describeError } from '../text';

/** The top of the list: older history to load, or the beginning of the room. */
export const HistoryEdge = ({ model, entry }: { model: ChatModel; entry: RoomEntry }) => {
  const { room, name } = entry;
  return (
    <div class="history-edge">
      {!room ? (
        <p class="muted">Loading messages…</p>
      ) : room.hasMoreHistory ? (
        <button
          type="button"
          class="link-button"
          disabled={entry.loadingOlder}
          onClick={() => model.loadOlder(name)}
        >
          {entry.loadingOlder ? 'Loading older messages…' : 'Load older messages'}
        </button>
      ) : (
        <p class="room-start">
          This is the very beginning of <strong>#{name}</strong>.
        </p>
      )}
      {entry.historyError && (
        <p class="field-error">
          Could not load older messages: {describeError(entry.historyError)}
        </p>
      )}
    </div>
  );
};
