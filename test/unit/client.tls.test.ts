/**
 * TLS: an https server whose certificate is not trusted (self-signed, made for this test only)
 * is refused as a network error, before any HTTP request (and so the key) goes out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { DriveClient, isNenApiError } from '../../src/api';

const KEY = 'sk_nen_tls_Wc4Jm8Qa2Zr6Yn1';

// A throwaway self-signed certificate for 127.0.0.1, used only by this test.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDmMLeQEiOny/iM
GJodbfuQdeb0o2e8kkVbDWhql4sIfd7KWuSaHqVUa2w2s+Vfmgwr/tAjSzC5QHwT
pGrqip7R9/JR/NvM0PeUOw9+1c8asqgE3w4t4OFVSMtCCEGsDCnGDt0pKfsxCOlH
rPr2eOl79JdWnISjqh8JANUOShlIheSo5MFa0dpXsaogu2oZASMccIhx3pMi77l2
4yDfuKWL023tHnvs3w+/VT7bJzv70lK4tM4t/pifzH3Q8kV0KVI4Zow4mXd9vY9v
p8FXZTwm9VgUbYiaqYEU0nCWew3ykjckulohGBBDOyfTFgRwIc9gTNhcaMWdIbbN
N8hD9bIhAgMBAAECggEADPtSXt2nBR+LtNruVhqNxWfgzosononhP3FSIjDJtoDi
v6bAnbB8wnYMdElQ9kNJzHFia5sh9FCerrznCrMmodDJ6bXI75QZYlKyXQTR2T+a
Giw6MHwuORER5XdxvLIy6OiNsHSdpfZKsbAftya6hDMXFdtd350Igwl4+oVTR7Op
/PV+rWn0KTznWZMDv3M8gSfrIZQakMThfba8Z2rPYI2Buzi90lPbWRQ6UHQ/IWgo
clVdSnvswUvmYIyMOlHZ4xKfp/3wsFqr2kw6LqndJRfHEq3YXWM3tUhuT6rSJ2d6
zhW3II0tDPvWhX1Z0C1JSB/8fFEFUvnzwtBtZF3VAQKBgQD6LBDFjmx6FLHqEnGz
AG74g4cKdEz9XBO7KblHTFBII14EquhoYJE+9yMXow4n4j9yzuxmavT7Ut4MzgMX
WyXQ971GVmpI8ooXO6aI1SF3WXwc+BirypMSMWOtpHA1s7V3iDB/K96N0Ja6nWZN
SCAhvYZ0Xpz6hULia/D4wUwltQKBgQDrjXy8bZlaf+Ct4CIBLSS7eHeaJYSNroRJ
eyObpKO9CV368JXdlilntn5ivS9FlBT2dZIg2JBRBoOFNJoR6pnuoDXUG/p+dD/s
OPx6P32v0ZDE6h7nHfgoez/3lFGlHPLCjPy/7StEyq9EHQmHrIB4EPSd4Av07c7Z
CW/M9j+ePQKBgQDnpZ3yECsJ79e+Mk3tvd0DaGbGm2Iex//NMplJF7TO11DbaZXB
8IkNkLGB1Y3qCGlP2aK0Qx2NCfJqUOgz3EZr9LniQ2ovGcYcNTPDR/axGL7/5AqU
KAN+uRTfWIA+eaTyhbzCRNDS5+5p5g0wSjTWiTPS1TjuEC8akXCUJghocQKBgEnU
Dd2NSHyKCiTVVDMkMBgmOO5yhepWYZYaZ124K63rSq6FS6OpFg8wrspJ25AmSq+4
x/VNi2Yp8X0FsKie7GJTiquRnWCXFRX4AoJadg1uVL6zVr4/sXEWuETkEvb6bMg3
olyRfHdSQ77Ijx0cHyQCxHjbKUQ6aROzlnwaTnRNAoGBANaD0mbVD4TFX5K6tgu6
KR5DD7IYpJtvDuLMdAk6KTlk/QAm85yDpsjrW0RnbuQKzmIWy7YPGuqhr4i5IEVK
3gzgsVQJuG0/ZLIgKgMljtDQTU+Ax0bh4e1kuD/bl2ZBpnKN9uKGK7KSPoDxd9jp
ClCwhX1tvIPBlBBwN57Cblqs
-----END PRIVATE KEY-----`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIDHDCCAgSgAwIBAgIUcOlYJDjgmLL51h+a9V0wrPKLMgEwDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyODIxNDI1MFoYDzIxMjYx
MTA0MjE0MjUwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQDmMLeQEiOny/iMGJodbfuQdeb0o2e8kkVbDWhql4sI
fd7KWuSaHqVUa2w2s+Vfmgwr/tAjSzC5QHwTpGrqip7R9/JR/NvM0PeUOw9+1c8a
sqgE3w4t4OFVSMtCCEGsDCnGDt0pKfsxCOlHrPr2eOl79JdWnISjqh8JANUOShlI
heSo5MFa0dpXsaogu2oZASMccIhx3pMi77l24yDfuKWL023tHnvs3w+/VT7bJzv7
0lK4tM4t/pifzH3Q8kV0KVI4Zow4mXd9vY9vp8FXZTwm9VgUbYiaqYEU0nCWew3y
kjckulohGBBDOyfTFgRwIc9gTNhcaMWdIbbNN8hD9bIhAgMBAAGjZDBiMB0GA1Ud
DgQWBBSC1mZ8XqmlBE9WqGF3OUse8EcVvTAfBgNVHSMEGDAWgBSC1mZ8XqmlBE9W
qGF3OUse8EcVvTAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwDQYJ
KoZIhvcNAQELBQADggEBAK5McmUO0wSageJfrhZ11fb/UmQhyeh8Qr2P6a7f1l/j
oCAnymKFKUvCtBJnPmKEKeBPk61UG5RmdX50kijepty/dSPSB7okbCnJN0A4TYAi
xUGYnwWRKshsbAL/gFLr5kmWQBqz8ownzhH1yqTGeeEkJXsMSoD5OCTAk06QwBeU
3wVOYop2OLBb3Xfw1pxeoq97dhpCBkBOPhXoruwkODzzlH3qDGzl6GIzJpZVTGGe
5toL1Vv3hSBuWsJm1/LyOffEpCc6AVF9ee2LybVgbVmamZwHNHDfISJnMwilmmzo
TEiSrknPb2JBs5sWwJtTEg0iQC6JXYBi+OP0R4Tnx5U=
-----END CERTIFICATE-----`;

test('an untrusted https certificate is kind network, not retried as a reset, and no request reaches the server', async (t) => {
  let requests = 0;
  const server = https.createServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) => {
    requests++;
    res.end('{"files":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const logs: string[] = [];
  const client = new DriveClient({ baseUrl: url, getApiKey: () => KEY, baseRetryDelayMs: 5, onRequest: (e) => logs.push(JSON.stringify(e)) });
  t.after(() => client.close());
  const err = await client.listFiles('dsk_abc123def456').then(
    () => assert.fail('an untrusted certificate was accepted'),
    (e: unknown) => e,
  );
  assert.ok(isNenApiError(err), String(err));
  assert.equal(err.kind, 'network');
  assert.match(err.message, /certificate/i);
  assert.equal(requests, 0);
  assert.equal(logs.length, 1, 'one attempt: a certificate failure is not retried');
  for (const text of [...logs, err.message, String(err.stack)]) assert.ok(!text.includes(KEY));
});
