/** Every abuse case, in the order the issue lists them. */
import type { AbuseCase } from '../lib/case.js';
import { guestsOffWithSecret, guestsReadingAppRooms, statusListsEveryone } from './access.js';
import { connectionChurn, socketsWithOneToken } from './connections.js';
import { awayToggles, historyReads, typingToggles } from './events.js';
import { brokenCompression, loneSurrogates, tokenEdges } from './input.js';
import { manyRooms } from './rooms.js';
import { guestSessionLoop, guestsTimesMessages } from './sessions.js';
import { slowConsumers } from './slow-consumers.js';

export const ALL_CASES: readonly AbuseCase[] = [
  guestsReadingAppRooms,
  guestsOffWithSecret,
  statusListsEveryone,
  guestSessionLoop,
  guestsTimesMessages,
  socketsWithOneToken,
  typingToggles,
  awayToggles,
  historyReads,
  manyRooms,
  slowConsumers,
  connectionChurn,
  loneSurrogates,
  tokenEdges,
  brokenCompression,
];
