import { ROOM_NAME_PATTERN } from '@chatter/protocol';
import { type Connection, type Model, Schema } from 'mongoose';
import { SCHEMA_OPTIONS } from './schema-options.js';

/** One document per room: `rooms` collection, keyed by the room name. */
export interface RoomDocument {
  /** The room name; using it as `_id` makes "one document per room" the primary key's job. */
  _id: string;
  /** Random id fixed when the room's history is created; changes only if history is reset. */
  epoch: string;
  /**
   * The newest `seq` in the room (message or change), advanced with `$max` after each insert.
   * The `messages` collection is the truth for allocation; this copy lets tools list rooms with
   * their head.
   */
  head: number;
  createdAt: Date;
}

export const roomSchema = new Schema<RoomDocument>(
  {
    _id: { type: String, required: true, match: ROOM_NAME_PATTERN },
    epoch: { type: String, required: true, minlength: 1 },
    head: {
      type: Number,
      required: true,
      min: 0,
      validate: { validator: Number.isSafeInteger, message: 'head must be a whole number' },
    },
    createdAt: { type: Date, required: true },
  },
  // Only the `_id` index: rooms are only ever looked up by name.
  { ...SCHEMA_OPTIONS, collection: 'rooms' },
);

export type RoomModel = Model<RoomDocument>;

export const roomModel = (connection: Connection): RoomModel =>
  connection.model<RoomDocument>('Room', roomSchema);
