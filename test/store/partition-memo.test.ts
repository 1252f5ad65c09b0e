import { describe, expect, it } from 'vitest';
import { PartitionMemo, hashPartition, partitionOf } from '../../src/store/inbound-store.js';

describe('partition of a chat', () => {
  it('keeps the hash a retry relies on (values of the SHA-1 formula)', () => {
    // A changed hash would send a retried message to another partition than its first copy.
    expect(partitionOf('dingtalk', 'cidAsXSBLnA9fake0000000==')).toBe(8);
    expect(partitionOf('wecom', 'wr-group-1')).toBe(3);
    expect(partitionOf('console', 'chat-a')).toBe(14);
    expect(partitionOf('dingtalk', 'cid-bench-0')).toBe(11);
    expect(partitionOf('dingtalk', 'cid-bench-1')).toBe(3);
  });

  it('is remembered for at most its bound of chats, and stays the hash for forgotten and remembered ones', () => {
    const memo = new PartitionMemo(100);
    const chats = Array.from({ length: 1_000 }, (_, i) => `chat-${i}`);
    for (const c of chats) {
      expect(memo.of('console', c)).toBe(hashPartition('console', c));
      expect(memo.size).toBeLessThanOrEqual(100);
    }
    expect(memo.size).toBe(100);
    // Asked again: the first ones were forgotten and are computed anew, the last ones come from the memo.
    for (const c of chats) expect(memo.of('console', c)).toBe(hashPartition('console', c));
    expect(memo.size).toBe(100);
    // The platform is part of the key: one chat id on two platforms may have two partitions.
    const two = chats.find((c) => hashPartition('wecom', c) !== hashPartition('dingtalk', c))!;
    expect(memo.of('wecom', two)).not.toBe(memo.of('dingtalk', two));
  });
});
