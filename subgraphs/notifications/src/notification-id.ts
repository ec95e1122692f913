import { createHash } from 'node:crypto';

/** The namespace of notification ids (a random UUID, fixed once): no other name-based id can collide. */
const NAMESPACE = Buffer.from('6f1d7c2e4b9a4e0f8d3c5a7b9e1f2a3c', 'hex');

/**
 * The id of the notification of one event to one user: a name-based UUID (version 5, RFC 9562) of the
 * pair, the same every time it is computed. It is the message's Message-ID, so a message whose record
 * was rolled back after the transport took it (a worker killed before its commit) goes out again under
 * the same Message-ID, and downstream sees one message twice rather than two messages.
 */
export function notificationIdFor(eventId: string, userId: string): string {
  const hash = createHash('sha1')
    .update(NAMESPACE)
    .update(`${eventId.toLowerCase()}/${userId.toLowerCase()}`)
    .digest();
  // Version 5 in the high nibble of byte 6, the RFC variant in the two high bits of byte 8.
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
