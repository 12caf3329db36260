/**
 * The documentation's own curl commands, run as written against a started emulator, and the
 * `npm run emulator` CLI as a user starts it. curl must be installed (CI installs it).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { makePdf } from '../../tools/emulator/samples';
import { startEmulator } from '../../tools/emulator/server';

const run = promisify(execFile);
const ID = 'dsk_abc123def456';

/** Run one documented command line through a shell, in `cwd`, exactly as a user would type it. */
async function sh(cmd: string, cwd: string): Promise<Buffer> {
  const { stdout } = await run('/bin/sh', ['-c', cmd], { cwd, encoding: 'buffer', timeout: 30_000 });
  return stdout;
}

test('the documented list, upload and download curl commands return the documented shapes and bytes', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-curl-'));
  const work = path.join(root, 'work');
  fs.mkdirSync(work);
  const emu = await startEmulator({ port: 0, dataDir: path.join(root, 'data'), apiKey: 'k', desktops: [ID] });
  try {
    const url = emu.url;
    const empty = await sh(`curl -sS -H "Authorization: Bearer k" ${url}/desktops/${ID}/files`, work);
    assert.deepEqual(JSON.parse(empty.toString()), { files: [] });

    const pdf = makePdf(['Report for the curl test']);
    fs.writeFileSync(path.join(work, 'report.pdf'), pdf);
    const up = await sh(`curl -sS -X POST -H "Authorization: Bearer k" -H "Content-Type: application/pdf" --data-binary @report.pdf ${url}/desktops/${ID}/files/report.pdf`, work);
    assert.deepEqual(JSON.parse(up.toString()), { success: true, size: pdf.length, filename: 'report.pdf' });
    assert.deepEqual(emu.readFile(ID, 'report.pdf'), pdf, 'stored byte for byte');

    const listed = JSON.parse((await sh(`curl -sS -H "Authorization: Bearer k" ${url}/desktops/${ID}/files`, work)).toString());
    assert.deepEqual(Object.keys(listed), ['files']);
    assert.equal(listed.files.length, 1);
    const [entry] = listed.files;
    assert.deepEqual(Object.keys(entry).sort(), ['modified', 'name', 'size']);
    assert.equal(entry.name, 'report.pdf');
    assert.equal(entry.size, pdf.length);
    assert.equal(typeof entry.modified, 'number');
    assert.equal(entry.modified, fs.statSync(path.join(root, 'data', ID, 'report.pdf')).mtimeMs / 1000);

    fs.rmSync(path.join(work, 'report.pdf'));
    const dl = await sh(`curl -sS -H "Authorization: Bearer k" -o report.pdf ${url}/desktops/${ID}/files/report.pdf`, work);
    assert.equal(dl.length, 0);
    assert.deepEqual(fs.readFileSync(path.join(work, 'report.pdf')), pdf);

    const headers = (await sh(`curl -sS -D - -o /dev/null -H "Authorization: Bearer k" ${url}/desktops/${ID}/files/report.pdf`, work)).toString();
    assert.match(headers, /^content-type: application\/pdf\r$/im);

    const denied = await sh(`curl -sS -w "%{http_code}" -H "Authorization: Bearer wrong" ${url}/desktops/${ID}/files`, work);
    const text = denied.toString();
    assert.ok(text.endsWith('401'));
    assert.equal(typeof JSON.parse(text.slice(0, -3)).error, 'string');
  } finally {
    await emu.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('the CLI prints its listening line, serves the documented desktop, and exits cleanly on SIGTERM', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nen-cli-'));
  const cli = path.join(__dirname, '..', '..', 'tools', 'emulator', 'cli.js');
  const child = spawn(process.execPath, [cli, '--port', '0', '--data', root, '--api-key', 'k', '--desktop', ID, '--desktop', 'dsk_second000000', '--samples'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`no listening line; stdout=${out} stderr=${err}`)), 15_000);
      child.stdout.on('data', (c) => {
        out += c;
        const m = /^Nen API emulator listening on (http:\/\/127\.0\.0\.1:(\d+))\n/m.exec(out);
        if (m) {
          clearTimeout(timer);
          assert.notEqual(Number(m[2]), 0);
          resolve(m[1]);
        }
      });
      child.stderr.on('data', (c) => (err += c));
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const files = JSON.parse((await sh(`curl -sS -H "Authorization: Bearer k" ${url}/desktops/${ID}/files`, root)).toString());
    assert.ok(files.files.length >= 5, 'the sample files are there');
    const desktops = JSON.parse((await sh(`curl -sS -H "Authorization: Bearer k" ${url}/desktops`, root)).toString());
    assert.deepEqual(desktops.map((d: { desktop_id: string }) => d.desktop_id).sort(), ['dsk_abc123def456', 'dsk_second000000']);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
});
