import { randomUUID } from 'node:crypto';

export const newMessageId = (): string => randomUUID();

export const newEpoch = (): string => randomUUID();

export const newGuestId = (): string => `guest_${randomUUID()}`;
