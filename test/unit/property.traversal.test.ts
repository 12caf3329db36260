/**
 * Hostile input against the emulator over raw HTTP: path-traversal names in every spelling we
 * could think of (and random combinations of them) must never write, or read, anything outside
 * the drive folder they target. Requests go over a plain socket so nothing in between (URL
 * classes, the client's own guards) normalizes them first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { startEmulator } from '../../tools/emulator/server';
import type { EmulatorHandle } from '../../tools/emulator/types';

const KEY = 'sk_nen_traversal_test_key';
const DESKTOP = 'dsk_trav0000001';
const OTHER = 'dsk_other000002';
const CANARY = 'CANARY-outside-the-data-folder-7f3a';
const VICTIM = 'victim contents, must survive';

interface RawResponse {
  status: number;
  body: string;
}

/** Sends one request line exactly as given (no normalization) and reads the whole answer. */
function rawRequest(port: number, method: string, target: string, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${method} ${target}`));
    }, 5000);
    socket.on('connect', () => {
      const payload = Buffer.from(body);
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${KEY}\r\n` +
          `Content-Type: text/plain\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(payload); // no half-close: a FIN before the answer can make a server drop the request
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined); // a server may hang up on garbage; the 'close' handler reports
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const sep = text.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, body: sep >= 0 ? text.slice(sep + 4) : '' });
    });
  });
}

/** Every file and folder under `root` (relative path → size:mtime), skipping `skip`. */
function snapshot(root: string, skip?: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (skip && p === skip) continue;
      const st = fs.lstatSync(p);
      out.set(path.relative(root, p), d.isDirectory() ? 'dir' : `${st.size}:${st.mtimeMs}`);
      if (d.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/** Every file path under `root` whose name contains `token`. */
function filesNamed(root: string, token: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.name.includes(token)) found.push(p);
      if (d.isDirectory()) walk(p);
    }
  };
  walk(root);
  return found;
}

interface Fixture {
  emu: EmulatorHandle;
  parent: string;
  dataDir: string;
  before: Map<string, string>;
  tmpBefore: Set<string>;
  rootBefore: Set<string>;
}

async function setup(): Promise<Fixture> {
  // parent/
  //   canary.txt             a file right next to the data folder
  //   data/                  the emulator's data folder
  //   data-evil/             a sibling whose name shares the data folder's prefix
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-traversal-'));
  const dataDir = path.join(parent, 'data');
  fs.mkdirSync(path.join(parent, 'data-evil'));
  fs.writeFileSync(path.join(parent, 'canary.txt'), CANARY);
  fs.writeFileSync(path.join(parent, 'data-evil', 'canary.txt'), CANARY);
  const emu = await startEmulator({ port: 0, dataDir, apiKey: KEY, desktops: [DESKTOP, OTHER] });
  emu.putFile(OTHER, 'victim.txt', VICTIM);
  return {
    emu,
    parent,
    dataDir,
    before: snapshot(parent, dataDir),
    tmpBefore: new Set(fs.readdirSync(os.tmpdir())),
    rootBefore: new Set(fs.readdirSync('/')),
  };
}

async function teardown(f: Fixture): Promise<void> {
  await f.emu.close();
  fs.rmSync(f.parent, { recursive: true, force: true });
}

/** Nothing changed next to the data folder, in /tmp or in /; the other desktop's file is intact. */
function assertContained(f: Fixture, token: string, what: string): void {
  assert.deepEqual(snapshot(f.parent, f.dataDir), f.before, `${what}: something changed outside the data folder`);
  const tmpNew = fs.readdirSync(os.tmpdir()).filter((n) => !f.tmpBefore.has(n) && n.includes(token));
  assert.deepEqual(tmpNew, [], `${what}: wrote into ${os.tmpdir()}`);
  const rootNew = fs.readdirSync('/').filter((n) => !f.rootBefore.has(n) && n.includes(token));
  assert.deepEqual(rootNew, [], `${what}: wrote into /`);
  assert.equal(f.emu.readFile(OTHER, 'victim.txt')?.toString(), VICTIM, `${what}: another desktop's file changed`);
  // Whatever was accepted landed inside this desktop's own drive folder.
  const driveRoot = path.join(f.dataDir, DESKTOP) + path.sep;
  for (const p of filesNamed(f.dataDir, token)) {
    assert.ok(p.startsWith(driveRoot), `${what}: wrote ${p} outside the drive folder ${driveRoot}`);
  }
}

const base = `/desktops/${DESKTOP}/files`;

/** Hand-written attacks: [request target, why]. `TOKEN` is replaced per case. */
const ATTACKS: Array<[string, string]> = [
  [`${base}/../TOKEN`, 'literal ../ in the name segment'],
  [`${base}/../../TOKEN`, 'literal ../../'],
  [`${base}/../../../TOKEN`, 'three levels up (past the data folder)'],
  [`${base}/..%2FTOKEN`, '..%2F'],
  [`${base}/..%2f..%2fTOKEN`, '..%2f..%2f'],
  [`${base}/%2e%2e%2fTOKEN`, '%2e%2e%2f'],
  [`${base}/%2E%2E%2F%2E%2E%2F%2E%2E%2FTOKEN`, 'upper-case %2E%2E%2F three times'],
  [`${base}/.%2e/TOKEN`, '.%2e/'],
  [`${base}/%2e%2e/TOKEN`, '%2e%2e/'],
  [`${base}/..%5cTOKEN`, '..%5c (encoded backslash)'],
  [`${base}/..%5c..%5cTOKEN`, '..%5c..%5c'],
  [`${base}/..\\TOKEN`, 'raw backslash'],
  [`${base}/..\\..\\TOKEN`, 'raw backslashes'],
  [`${base}/a\\..\\..\\TOKEN`, 'backslash traversal after a name'],
  [`${base}/%2Ftmp%2FTOKEN`, 'absolute path, encoded'],
  [`${base}//tmp/TOKEN`, 'absolute path, doubled slash'],
  [`${base}/%2FTOKEN`, 'encoded leading slash'],
  [`${base}/..%252fTOKEN`, 'double-encoded ..%252f'],
  [`${base}/%c0%ae%c0%ae%c0%afTOKEN`, 'overlong UTF-8 dots and slash'],
  [`${base}/TOKEN%00.txt`, 'NUL byte'],
  [`${base}/../../${OTHER}/files/victim.txt`, 'into another desktop via ../'],
  [`${base}/..%2F${OTHER}%2Fvictim.txt`, 'into another desktop via ..%2F'],
  [`/desktops/..%2f..%2fTOKEN/files/x.txt`, 'traversal in the desktop id'],
  [`/desktops/../files/TOKEN`, 'desktop id ..'],
  [`/desktops/%2e%2e/files/TOKEN`, 'desktop id %2e%2e'],
  [`/desktops/.nen-emulator/files/TOKEN`, "the emulator's own sidecar folder as a desktop"],
  [`${base}/TOKEN?path=../..`, '?path=../..'],
  [`${base}/TOKEN?path=..%2F..%2F..`, '?path=..%2F..%2F..'],
  [`${base}/TOKEN?path=%2e%2e`, '?path=%2e%2e'],
  [`${base}/TOKEN?path=/tmp`, '?path=/tmp (absolute)'],
  [`${base}/TOKEN?path=%2Ftmp`, '?path=%2Ftmp'],
  [`${base}/TOKEN?path=a%5c..%5c..`, '?path= with backslashes'],
  [`${base}/TOKEN?path=a/../..`, '?path=a/../..'],
  [`${base}/TOKEN?path=../${OTHER}`, '?path= into another desktop'],
  [`${base}/TOKEN?path=ok&path=../..`, 'a second ?path= value'],
];

test('path-traversal uploads never write outside the data folder', async () => {
  const f = await setup();
  try {
    let refused = 0;
    const accepted: string[] = [];
    for (const [i, [target, why]] of ATTACKS.entries()) {
      const token = `esc${i}x${process.pid}`;
      const res = await rawRequest(f.emu.port, 'POST', target.replace('TOKEN', token), `attack ${i}`);
      assert.ok(res.status !== 0, `${why}: no HTTP answer`);
      if (res.status >= 400) refused++;
      else accepted.push(`${why} → ${res.status}`);
      assertContained(f, token, `${why} (${target})`);
    }
    console.log(`property: ${ATTACKS.length} hand-written traversal uploads contained (${refused} refused outright; accepted inside the drive: ${accepted.join('; ')})`);
  } finally {
    await teardown(f);
  }
});

test('path-traversal downloads never read outside the data folder', async () => {
  const f = await setup();
  try {
    for (const [target, why] of ATTACKS) {
      for (const name of ['canary.txt', 'data-evil/canary.txt', 'data-evil%2Fcanary.txt']) {
        const res = await rawRequest(f.emu.port, 'GET', target.replace('TOKEN', name));
        assert.ok(!res.body.includes(CANARY), `${why}: GET ${target} returned a file from outside the data folder`);
      }
      // Reading the other desktop's file through this desktop's route must not work either.
      if (target.includes(OTHER)) {
        const res = await rawRequest(f.emu.port, 'GET', target);
        assert.ok(!res.body.includes(VICTIM), `${why}: read another desktop's file`);
      }
    }
    // /etc/passwd is the classic target.
    for (const t of [`${base}/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd`, `${base}/../../../../../../../etc/passwd`]) {
      const res = await rawRequest(f.emu.port, 'GET', t);
      assert.ok(!res.body.includes('root:'), `GET ${t} leaked /etc/passwd`);
    }
  } finally {
    await teardown(f);
  }
});

test('random combinations of dot, slash and backslash spellings stay inside the drive', async () => {
  const f = await setup();
  const piece = fc.constantFrom(
    '..', '.', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%2e', '/', '%2f', '%2F', '\\', '%5c', '%5C', '%252f',
    '%00', 'a', 'TOKEN', '//', '%c0%ae', '~',
  );
  let cases = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 8 }), fc.boolean(), async (pieces, inQuery) => {
        cases++;
        const token = `rnd${cases}x${process.pid}`;
        const spelled = pieces.join('').replace(/TOKEN/g, token) + token;
        const target = inQuery ? `${base}/${token}.txt?path=${spelled}` : `${base}/${spelled}`;
        const res = await rawRequest(f.emu.port, 'POST', target, 'x');
        assert.ok(res.status !== 0, `no HTTP answer to ${target}`);
        assertContained(f, token, target);
      }),
      { numRuns: 150 },
    );
    console.log(`property: ${cases} random traversal spellings contained`);
  } finally {
    await teardown(f);
  }
});
