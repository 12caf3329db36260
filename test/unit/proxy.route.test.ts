/**
 * routeFor: which proxy (if any) an API origin goes through and which CAs it trusts, from VS
 * Code's http.* settings and the environment; describeRoute never shows the proxy's credentials.
 * (The route in action, through a real tinyproxy, is client.proxy.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { describeRoute, noProxyMatches, routeFor } from '../../src/api/proxy';
import { TEST_CERT } from './tlsFixture';

const API = 'https://desktop.api.getnen.ai';
const noFiles = (p: string): string => {
  throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
};

test('http.proxy wins over the environment; with it empty, https_proxy / HTTPS_PROXY / HTTP_PROXY in that order', () => {
  assert.equal(routeFor(API, { proxy: 'http://set:1', env: { HTTPS_PROXY: 'http://env:2' } }).proxy?.host, 'set:1');
  assert.equal(routeFor(API, { proxy: ' ', env: { https_proxy: 'http://lower:3', HTTPS_PROXY: 'http://upper:4' } }).proxy?.host, 'lower:3');
  assert.equal(routeFor(API, { env: { HTTP_PROXY: 'http://plain:5' } }).source, 'HTTP_PROXY');
  assert.equal(routeFor(API, { env: {} }).proxy, undefined);
  assert.equal(routeFor(API, { proxy: 'proxy.corp:3128', env: {} }).proxy?.href, 'http://proxy.corp:3128/', 'a bare host:port is an http proxy');
  assert.throws(() => routeFor(API, { proxy: 'socks5://s:1080', env: {} }), /must be an http:\/\/ or https:\/\//);
});

test('http.noProxy and NO_PROXY: exact host, subdomains, leading dot or *., host:port, and *', () => {
  const u = new URL(API);
  assert.ok(noProxyMatches(u, ['desktop.api.getnen.ai']));
  assert.ok(noProxyMatches(u, ['getnen.ai']));
  assert.ok(noProxyMatches(u, ['.getnen.ai']));
  assert.ok(noProxyMatches(u, ['*.getnen.ai']));
  assert.ok(noProxyMatches(u, ['getnen.ai:443']));
  assert.ok(!noProxyMatches(u, ['getnen.ai:8443']));
  assert.ok(!noProxyMatches(u, ['nen.ai.example', 'tgetnen.ai']));
  assert.ok(noProxyMatches(u, ['*']));
  assert.equal(routeFor(API, { proxy: 'http://p:1', noProxy: ['getnen.ai'], env: {} }).proxy, undefined);
  assert.equal(routeFor(API, { proxy: 'http://p:1', env: { NO_PROXY: 'x.example, getnen.ai' } }).proxy, undefined);
  assert.equal(routeFor(API, { proxy: 'http://p:1', env: { no_proxy: 'other.example' } }).proxy?.host, 'p:1');
});

test('a loopback API URL is direct unless proxyLoopback', () => {
  for (const url of ['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:2']) {
    assert.equal(routeFor(url, { proxy: 'http://p:1', env: {} }).proxy, undefined, url);
    assert.equal(routeFor(url, { proxy: 'http://p:1', proxyLoopback: true, env: {} }).proxy?.host, 'p:1', url);
  }
});

test('proxyStrictSSL and proxyAuthorization are carried; describeRoute shows neither user nor password', () => {
  const r = routeFor(API, { proxy: 'http://alice:s3cret@p:1', proxyStrictSSL: false, proxyAuthorization: ' Basic abc ', env: {} });
  assert.equal(r.proxyStrictSSL, false);
  assert.equal(r.proxyAuthorization, 'Basic abc');
  const text = describeRoute(r);
  assert.equal(text, 'through the proxy http://p:1 (from http.proxy)');
  assert.equal(describeRoute(routeFor(API, { env: {} })), 'directly');
});

test('NODE_EXTRA_CA_CERTS adds its certificates to Node\'s; an unreadable file is an error; none means Node\'s defaults', () => {
  const r = routeFor(API, { env: { NODE_EXTRA_CA_CERTS: '/ca.pem' } }, (p) => (p === '/ca.pem' ? `junk\n${TEST_CERT}\n` : noFiles(p)));
  assert.equal(r.ca?.length, tls.rootCertificates.length + 1);
  assert.equal(r.ca?.at(-1), TEST_CERT);
  assert.throws(() => routeFor(API, { env: { NODE_EXTRA_CA_CERTS: '/missing.pem' } }, noFiles), /NODE_EXTRA_CA_CERTS names a file that cannot be read \(\/missing\.pem\): ENOENT/);
  assert.equal(routeFor(API, { env: {} }, noFiles).ca, undefined);
});

test('http.systemCertificates adds the system store (Node\'s reader when it has one, else the Linux CA bundle file)', () => {
  const reads: string[] = [];
  const r = routeFor(API, { systemCertificates: true, env: {} }, (p) => {
    reads.push(p);
    if (p === '/etc/ssl/certs/ca-certificates.crt') return TEST_CERT;
    return noFiles(p);
  });
  if (typeof (tls as { getCACertificates?: unknown }).getCACertificates === 'function') {
    assert.deepEqual(reads, [], 'Node reads the system store itself');
  } else {
    assert.equal(process.platform, 'linux', 'this suite runs on Linux');
    assert.deepEqual(reads, ['/etc/ssl/certs/ca-certificates.crt']);
    assert.equal(r.ca?.at(-1), TEST_CERT);
  }
  assert.equal(routeFor(API, { systemCertificates: false, env: {} }, noFiles).ca, undefined);
});
