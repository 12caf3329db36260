import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DriveEntry } from '../../src/api/types';
import { diffListings } from '../../src/cache/diff';
import { ListingCache, type FetchOutcome, type ListingChange } from '../../src/cache/ListingCache';

const D = 'dsk_abc123def456';
const file = (name: string, size: number, modified: number): DriveEntry => ({ name, size, modified, isDir: false });

/** A fake server: a mutable listing per folder, with a request count and optional gates. */
function fakeServer() {
  const folders = new Map<string, DriveEntry[]>([['', []]]);
  let requests = 0;
  let gate: Promise<void> | undefined;
  let fail: unknown;
  const fetch = async (_desktop: string, folder: string | undefined) => {
    requests++;
    const snapshot = [...(folders.get(folder ?? '') ?? [])];
    if (gate) await gate;
    if (fail) throw fail;
    return snapshot;
  };
  return {
    fetch,
    folders,
    get requests() {
      return requests;
    },
    set(folder: string, entries: DriveEntry[]) {
      folders.set(folder, entries);
    },
    hold(): () => void {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = undefined;
        release();
      };
    },
    failWith(err: unknown) {
      fail = err;
    },
  };
}

function changes(cache: ListingCache): ListingChange[] {
  const seen: ListingChange[] = [];
  cache.onDidFetch((o: FetchOutcome) => {
    if (o.ok && o.change) seen.push(o.change);
  });
  return seen;
}

test('a cached listing answers within its age; a ticket demands a listing requested after it', async () => {
  const server = fakeServer();
  server.set('', [file('a.txt', 1, 100)]);
  const cache = new ListingCache(server.fetch);
  await cache.get({ desktopId: D }, { maxAgeMs: 3000 });
  await cache.get({ desktopId: D }, { maxAgeMs: 3000 });
  assert.equal(server.requests, 1, 'the second get is answered from the cache');

  const ticket = cache.ticket();
  server.set('', [file('a.txt', 1, 100), file('new.txt', 2, 101)]);
  const fresh = await cache.get({ desktopId: D }, { maxAgeMs: 3000, after: ticket });
  assert.equal(server.requests, 2, 'after a ticket the cache no longer answers');
  assert.ok(fresh.byName.has('new.txt'), 'the file written after the first listing is found');
});

test('a lookup after a ticket does not reuse a request that started before it, and concurrent lookups share one new request', async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch);
  const release = server.hold();
  const early = cache.get({ desktopId: D }, { maxAgeMs: 0 }); // in flight, saw the old listing
  const ticket = cache.ticket();
  server.set('', [file('late.txt', 4, 200)]);
  const a = cache.get({ desktopId: D }, { maxAgeMs: 0, after: ticket });
  const b = cache.get({ desktopId: D }, { maxAgeMs: 0, after: ticket });
  release();
  assert.equal((await early).byName.has('late.txt'), false, 'the early request saw the old drive');
  const [la, lb] = await Promise.all([a, b]);
  assert.ok(la.byName.has('late.txt') && lb.byName.has('late.txt'), 'both lookups see the new file');
  assert.equal(server.requests, 2, 'one request before, one shared request after the ticket');
});

test('a new listing is diffed against the last one: created, changed (size or modified) and deleted, by name', async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch);
  const seen = changes(cache);
  server.set('', [file('keep.txt', 1, 100), file('grow.log', 10, 100), file('touch.txt', 5, 100), file('gone.txt', 3, 100)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  assert.equal(seen.length, 0, 'the first listing is the baseline');
  server.set('', [file('keep.txt', 1, 100), file('grow.log', 20, 101), file('touch.txt', 5, 100.5), file('new.png', 7, 102)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  assert.equal(seen.length, 1);
  const c = seen[0];
  assert.deepEqual(c.created.map((e) => e.name), ['new.png']);
  assert.deepEqual(c.changed.map((e) => e.name).sort(), ['grow.log', 'touch.txt']);
  assert.deepEqual(c.deleted.map((e) => e.name), ['gone.txt']);
  assert.equal(c.own, false);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  assert.equal(seen.length, 1, 'an unchanged listing reports nothing');
});

test('invalidate keeps the baseline: the next listing is still diffed; invalidateAll forgets it', async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch);
  const seen = changes(cache);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  cache.invalidate({ desktopId: D });
  server.set('', [file('x', 1, 1)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 3000 });
  assert.deepEqual(seen.map((c) => c.created.map((e) => e.name)), [['x']]);
  cache.invalidateAll();
  server.set('', [file('y', 1, 1)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 3000 });
  assert.equal(seen.length, 1, 'after invalidateAll (another server or key) the first listing is a new baseline');
});

test("own uploads are reported as own, and the listing that confirms them is not someone else's change", async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch, () => 1_000_000);
  const seen = changes(cache);
  server.set('', [file('doc.txt', 5, 100)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  const own = cache.recordOwnWrite({ desktopId: D }, 'doc.txt', 9, { replacedModified: 100, asEditorVersion: true });
  assert.equal(own?.own, true);
  assert.deepEqual(own?.changed.map((e) => e.name), ['doc.txt']);
  assert.equal(cache.seenVersion({ desktopId: D }, 'doc.txt')?.unconfirmed?.before, 100);

  // A listing still showing the replaced version is not news.
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  assert.equal(seen.filter((c) => !c.own).length, 0, 'the replaced version is not reported as a change');

  // The server now shows our 9 bytes with its own mtime: a confirmation, not a change.
  server.set('', [file('doc.txt', 9, 200)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  const foreign = seen.filter((c) => !c.own);
  assert.equal(foreign.length, 1);
  assert.deepEqual(foreign[0].changed, [], 'no change event for our own save');
  assert.deepEqual(foreign[0].confirmed.map((e) => e.name), ['doc.txt']);
  assert.deepEqual(cache.seenVersion({ desktopId: D }, 'doc.txt'), { size: 9, modified: 200 }, 'the editor version learns the server mtime');

  // Someone else then writes it: that is a change.
  server.set('', [file('doc.txt', 9, 300)]);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  assert.deepEqual(seen[seen.length - 1].changed.map((e) => e.name), ['doc.txt']);
  assert.equal(seen[seen.length - 1].own, false);
});

test('a listing that started before an invalidation or an own write stores and diffs nothing', async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch);
  const seen = changes(cache);
  await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  const release = server.hold();
  const stale = cache.get({ desktopId: D }, { maxAgeMs: 0 });
  cache.recordOwnWrite({ desktopId: D }, 'mine.txt', 3, { asEditorVersion: false });
  release();
  await stale;
  assert.deepEqual(seen.map((c) => [c.own, c.created.map((e) => e.name), c.deleted.map((e) => e.name)]), [[true, ['mine.txt'], []]], 'the stale listing (without mine.txt) did not report it deleted');
  assert.ok(cache.peek({ desktopId: D })?.byName.has('mine.txt'));
});

test('failures are reported to listeners with the error (Retry-After included)', async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch);
  const outcomes: FetchOutcome[] = [];
  cache.onDidFetch((o) => outcomes.push(o));
  server.failWith(Object.assign(new Error('503'), { retryAfterMs: 7000 }));
  await assert.rejects(cache.get({ desktopId: D, folder: 'a/' }, { maxAgeMs: 0, purpose: 'poll' }));
  assert.equal(outcomes.length, 1);
  assert.equal(outcomes[0].ok, false);
  assert.equal(outcomes[0].key, `${D}\u0000a`, 'folders are normalised into one key');
});

test('knownFolders lists the folders listed under a folder', async () => {
  const server = fakeServer();
  const cache = new ListingCache(server.fetch);
  for (const folder of [undefined, 'a', 'a/b', 'ab', 'c']) await cache.get({ desktopId: D, folder }, { maxAgeMs: 0 });
  assert.deepEqual(cache.knownFolders(D, 'a').map((r) => r.folder), ['a', 'a/b']);
  assert.equal(cache.knownFolders(D).length, 5);
  assert.equal(cache.knownFolders('dsk_other').length, 0);
});

test('a listing with nothing changed (in any order) is the previous entries array itself; any change, a new one', async () => {
  const server = fakeServer();
  const many = Array.from({ length: 300 }, (_, i) => file(`f${i}.txt`, i, 1000 + i));
  server.set('', many.map((e) => ({ ...e })));
  const cache = new ListingCache(server.fetch);
  const seen = changes(cache);
  const first = await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  server.set('', many.map((e) => ({ ...e })).reverse());
  const second = await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  assert.equal(second.entries, first.entries, 'the same array, so what was built from it still applies');
  assert.equal(second.byName, first.byName);
  assert.ok(second.seq > first.seq, 'a new listing all the same (its time and sequence)');
  assert.equal(seen.length, 0);
  for (const next of [
    [...many.slice(0, 299), file('f299.txt', 299, 1299.5)], // one time changed
    many.slice(0, 299), // one gone
    [...many, file('new.txt', 1, 1)], // one more
    [...many.slice(0, 299), file('other.txt', 299, 1299)], // one renamed: same count
  ]) {
    const before = await cache.get({ desktopId: D }, { maxAgeMs: 60_000 });
    server.set('', next.map((e) => ({ ...e })));
    const after = await cache.get({ desktopId: D }, { maxAgeMs: 0 });
    assert.notEqual(after.entries, before.entries);
    assert.deepEqual(after.entries.map((e) => e.name).sort(), next.map((e) => e.name).sort());
  }
  assert.equal(seen.length, 4, 'each change reported');
});

test('diffListings on 10,000 entries finds exactly the three differences', () => {
  const before = Array.from({ length: 10_000 }, (_, i) => file(`file-${i}.txt`, i, 1000 + i));
  const after = before.map((e) => (e.name === 'file-42.txt' ? { ...e, size: e.size + 1 } : e)).filter((e) => e.name !== 'file-7.txt');
  after.push(file('fresh.png', 1, 5));
  const diff = diffListings(new Map(before.map((e) => [e.name, e])), after, new Map(after.map((e) => [e.name, e])));
  assert.deepEqual(diff.created.map((e) => e.name), ['fresh.png']);
  assert.deepEqual(diff.changed.map((e) => e.name), ['file-42.txt']);
  assert.deepEqual(diff.deleted.map((e) => e.name), ['file-7.txt']);
});

test('a new listing keeps the objects of entries that did not change (they are long-lived; the new copies die young), and its diff is still exact', async () => {
  const server = fakeServer();
  const many = Array.from({ length: 600 }, (_, i) => file(`f${i}.txt`, i, 1000 + i + 0.25));
  server.set('', many.map((e) => ({ ...e })));
  const cache = new ListingCache(server.fetch);
  const seen = changes(cache);
  const first = await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  const next = many.map((e) => ({ ...e }));
  next[5] = file('f5.txt', 99, 1005.25); // grew
  next[7] = { ...next[7], unreachableReason: 'refused now' };
  next.splice(9, 1); // f9 deleted
  next.push(file('new.txt', 1, 2000));
  server.set('', next);
  const second = await cache.get({ desktopId: D }, { maxAgeMs: 0 });
  const kept = second.entries.filter((e) => first.byName.get(e.name) === e).map((e) => e.name);
  assert.equal(kept.length, 600 - 3, 'every unchanged entry is the object the first listing held');
  for (const name of ['f5.txt', 'f7.txt', 'new.txt']) assert.notEqual(first.byName.get(name), second.byName.get(name), name);
  assert.equal(second.byName.get('f5.txt')?.size, 99);
  assert.equal(second.byName.get('f7.txt')?.unreachableReason, 'refused now');
  for (const e of second.entries) assert.equal(second.byName.get(e.name), e, 'the index and the entries hold the same objects');
  assert.deepEqual(second.entries.map((e) => e.name), next.map((e) => e.name), "the server's order");
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0].changed.map((e) => e.name), ['f5.txt']);
  assert.deepEqual(seen[0].created.map((e) => e.name), ['new.txt']);
  assert.deepEqual(seen[0].deleted.map((e) => e.name), ['f9.txt']);
});
