export { ChatterProvider, type ChatterProviderProps, useChatter } from './provider.js';
export { useConnectionStatus } from './use-connection-status.js';
export { type MessageActions, useMessageActions } from './use-message-actions.js';
export { type PresenceResult, usePresence } from './use-presence.js';
export { type ReadStateResult, useReadState } from './use-read-state.js';
export { type UseRoomOptions, type UseRoomResult, useRoom } from './use-room.js';
export {
  type RoomUnread,
  type UnreadCountsOptions,
  type UnreadCountsResult,
  useUnreadCounts,
} from './use-unread-counts.js';
