import type { Connection } from 'mongoose';
import { type MessageModel, messageModel } from './message-model.js';
import { type RoomModel, roomModel } from './room-model.js';
import { type UserModel, userModel } from './user-model.js';

export interface ChatModels {
  Room: RoomModel;
  Message: MessageModel;
  User: UserModel;
}

/**
 * Compiles the models on one connection. Models belong to a connection, not to the global
 * mongoose instance, so several stores (tests, tools) can be open at once.
 */
export const registerModels = (connection: Connection): ChatModels => ({
  Room: roomModel(connection),
  Message: messageModel(connection),
  User: userModel(connection),
});
