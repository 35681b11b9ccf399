import { LIMITS, ROOM_NAME_PATTERN } from '@chatter/protocol';
import { type Connection, type Model, Schema } from 'mongoose';
import { SCHEMA_OPTIONS } from './schema-options.js';

/**
 * A room the server remembers for a user (`memberships` collection): from their join until they
 * leave, with how far they have read. One document per `(userId, room)`.
 */
export interface MembershipDocument {
  userId: string;
  room: string;
  joinedAt: Date;
  /** Every entry up to this `seq` is read (0: none). Only ever moved forward, with `$max`. */
  readSeq: number;
}

export const membershipSchema = new Schema<MembershipDocument>(
  {
    userId: { type: String, required: true, minlength: 1, maxlength: LIMITS.userIdMaxLength },
    room: { type: String, required: true, match: ROOM_NAME_PATTERN },
    joinedAt: { type: Date, required: true },
    readSeq: {
      type: Number,
      required: true,
      min: 0,
      validate: { validator: Number.isSafeInteger, message: 'readSeq must be a whole number' },
    },
  },
  { ...SCHEMA_OPTIONS, collection: 'memberships' },
);

export const MEMBERSHIP_INDEXES = {
  userRoom: 'user_room_unique',
  roomReads: 'room_read_seq_user',
} as const;

// One membership per user and room, so a join recorded twice (two connections at once) stays
// one; it also serves a user's room list and the count behind `LIMITS.roomsPerUserMax`.
membershipSchema.index({ userId: 1, room: 1 }, { name: MEMBERSHIP_INDEXES.userRoom, unique: true });

// Read receipts: a room's members, the furthest read first, read from the front of the index.
membershipSchema.index({ room: 1, readSeq: -1, userId: 1 }, { name: MEMBERSHIP_INDEXES.roomReads });

export type MembershipModel = Model<MembershipDocument>;

export const membershipModel = (connection: Connection): MembershipModel =>
  connection.model<MembershipDocument>('Membership', membershipSchema);
