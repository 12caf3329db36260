/**
 * The vscode-free client speaks German when @vscode/l10n holds the German bundle, as
 * activate() configures it from vscode.l10n.bundle. The modules are imported before the bundle
 * is loaded: a message translated at import (a module constant) would stay English here.
 * (node --test runs each file in its own process, so the other unit tests still see English.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as l10n from '@vscode/l10n';
import { DriveClient, NenApiError, checkUploadSize, formatBytesExact, validateFolderPath, validateName } from '../../src/api';
import { parseBaseUrl } from '../../src/api/baseUrl';
import { statusMessage } from '../../src/api/errors';
import { prepareTarget } from '../../src/api/atomicFile';
import { SHELL_LABELS } from '../../src/api/curlCommand';
import { pathTooLong } from '../../src/api/localName';
import { FolderNames } from '../../src/api/sameName';
import { TRANSFER_WORKER_SCRIPT } from '../../src/api/transferThread';
import { startEmulator } from '../../tools/emulator/server';

const fail = (kind: ConstructorParameters<typeof NenApiError>[0], message: string): NenApiError => new NenApiError(kind, message);

l10n.config({ contents: JSON.parse(readFileSync(join(__dirname, '../../../l10n/bundle.l10n.de.json'), 'utf8')) });

test('name and folder path rules answer in German, a folder worded as a folder', () => {
  assert.equal(validateName('a/b'), 'Ein Name darf kein "/" enthalten.');
  assert.equal(validateFolderPath('docs/a..b'), 'Ein Ordnername darf kein ".." enthalten.');
  assert.equal(validateFolderPath(Array(40).fill('a').join('/')), 'Ein Ordnerpfad darf nicht mehr als 32 Ordner tief sein (dieser ist 40 tief).');
  assert.deepEqual(parseBaseUrl('ftp://nen.example.com'), { error: 'Die Nen-API-URL muss https verwenden (angegeben: ftp).' });
});

test('status texts, sizes and the 100 MiB refusal are German; the numbers keep their form', () => {
  assert.equal(statusMessage(404, ''), 'nicht gefunden (HTTP 404)');
  assert.equal(statusMessage(400, ''), 'ungültige Anfrage (HTTP 400)');
  assert.equal(statusMessage(404, '{"error":"no such desktop"}'), 'no such desktop (HTTP 404)');
  assert.equal(formatBytesExact(1), '1 Byte');
  assert.throws(() => checkUploadSize('big.bin', 200 * 1024 * 1024, fail), {
    message: "'big.bin' ist 200 MB groß (209,715,200 Bytes); das Nen-Laufwerk nimmt Dateien bis 100 MiB (104,857,600 Bytes) an.",
  });
});

test('a shell label read after the bundle loaded is German (a getter, not a constant)', () => {
  assert.equal(SHELL_LABELS.cmd, 'Eingabeaufforderung (cmd.exe)');
  assert.equal(SHELL_LABELS.powershell, 'PowerShell');
});

test('local failures: the whole sentence and the reason are German', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nen-l10n-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a.txt'), 'x');
  await assert.rejects(prepareTarget(join(dir, 'a.txt'), false, fail), { message: `„${join(dir, 'a.txt')}“ ist bereits vorhanden.` });
  await assert.rejects(prepareTarget(join(dir, 'nope', 'a.txt'), false, fail), {
    message: `Der Ordner „${join(dir, 'nope')}“ kann nicht verwendet werden: Datei oder Ordner nicht gefunden (ENOENT).`,
  });
  assert.equal(pathTooLong('/' + 'a'.repeat(5000), 0, 'linux'), 'der lokale Pfad ist 5,001 Bytes lang; Linux erlaubt 4,095');
});

test('why two names are one on this disk is a whole German sentence', () => {
  const names = new FolderNames({ caseInsensitive: true, normalising: false, probed: true }, ['Report.txt']);
  assert.equal(names.claim('report.txt').existing?.because, "'report.txt' ist auf diesem Datenträger dieselbe Datei wie 'Report.txt', da er Groß- und Kleinschreibung nicht unterscheidet");
});

test('an unreachable API and a missing key are reported in German', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nen-l10n-emu-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const emu = await startEmulator({ port: 0, dataDir, apiKey: 'sk_nen_l10n_key_123456', desktops: ['dsk_abc123def456'] });
  const url = emu.url;
  await emu.close();
  const host = new URL(url).host;
  const client = new DriveClient({ baseUrl: url, getApiKey: () => 'sk_nen_l10n_key_123456', maxRetries: 0 });
  t.after(() => client.close());
  await assert.rejects(client.listFiles('dsk_abc123def456'), (e: Error) => {
    assert.match(e.message, new RegExp(`^${host.replace(/\./g, '\\.')} ist nicht erreichbar: .*\\.$`));
    return true;
  });
  const keyless = new DriveClient({ baseUrl: url, getApiKey: () => '' });
  t.after(() => keyless.close());
  await assert.rejects(keyless.listFiles('dsk_abc123def456'), { message: 'Es ist kein Nen-API-Schlüssel festgelegt.' });
});

test('a transfer on the worker thread speaks German too: the bundle goes with it', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'nen-l10n-emu-'));
  const work = await mkdtemp(join(tmpdir(), 'nen-l10n-local-'));
  const emu = await startEmulator({ port: 0, dataDir, apiKey: 'sk_nen_l10n_key_123456', desktops: ['dsk_abc123def456'] });
  t.after(async () => {
    await emu.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });
  const bundle = JSON.parse(readFileSync(join(__dirname, '../../../l10n/bundle.l10n.de.json'), 'utf8')) as Record<string, string>;
  const opts = { baseUrl: emu.url, getApiKey: () => 'sk_nen_l10n_key_123456' };
  const [worker, here] = [new DriveClient({ ...opts, offThread: { script: TRANSFER_WORKER_SCRIPT, l10nBundle: bundle } }), new DriveClient(opts)];
  t.after(() => Promise.all([worker.close(), here.close()]));
  await writeFile(join(work, 'da.bin'), 'x');
  const refused = (c: DriveClient): Promise<string> =>
    c.downloadToFile('dsk_abc123def456', 'da.bin', join(work, 'da.bin')).then(
      () => assert.fail('the download over an existing file succeeded'),
      (e: Error) => e.message,
    );
  const [there, ours] = [await refused(worker), await refused(here)];
  assert.equal(worker.transferThreadRunning, true, 'the first ran on the worker');
  assert.equal(ours, `„${join(work, 'da.bin')}“ ist bereits vorhanden.`);
  assert.equal(there, ours);
});
