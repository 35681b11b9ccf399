import type { Connection } from 'mongoose';
import { type ChangeModel, changeModel } from './change-model.js';
import { type MembershipModel, membershipModel } from './membership-model.js';
import { type MessageModel, messageModel } from './message-model.js';
import { type RoomModel, roomModel } from './room-model.js';
import { type UserModel, userModel } from './user-model.js';

export interface ChatModels {
  Room: RoomModel;
  /** Messages of the `messages` collection; every filter on it excludes change entries. */
  Message: MessageModel;
  /** Change entries: the same `messages` collection, `kind: 'change'`. */
  Change: ChangeModel;
  Membership: MembershipModel;
  User: UserModel;
}

/**
 * Compiles the models on one connection. Models belong to a connection, not to the global
 * mongoose instance, so several stores (tests, tools) can be open at once.
 */
export const registerModels = (connection: Connection): ChatModels => ({
  Room: roomModel(connection),
  Message: messageModel(connection),
  Change: changeModel(connection),
  Membership: membershipModel(connection),
  User: userModel(connection),
});
