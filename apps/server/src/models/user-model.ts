import { LIMITS } from '@chatter/protocol';
import { type Connection, type Model, Schema } from 'mongoose';
import { SCHEMA_OPTIONS } from './schema-options.js';

/** A user's last known display name and when they were last seen: `users` collection. */
export interface UserDocument {
  /** The user id (a token's `sub`). */
  _id: string;
  name: string;
  /** When their last connection closed (or the server shut down with them connected). */
  lastSeen: Date | null;
}

export const userSchema = new Schema<UserDocument>(
  {
    _id: { type: String, required: true, minlength: 1, maxlength: LIMITS.userIdMaxLength },
    name: { type: String, required: true },
    lastSeen: { type: Date, default: null },
  },
  // Only the `_id` index: `GET /api/status?users=a,b` reads users by id (`_id: { $in }`), and
  // the online list comes from the in-process presence tracker, not from this collection.
  { ...SCHEMA_OPTIONS, collection: 'users' },
);

export type UserModel = Model<UserDocument>;

export const userModel = (connection: Connection): UserModel =>
  connection.model<UserDocument>('User', userSchema);
