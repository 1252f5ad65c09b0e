import { createDecipheriv } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDingtalk } from './dingtalk/server.js';
import { FakeWecomMedia } from './wecom/media.js';

/** The media fakes speak the documented protocols (checked with node:crypto and plain fetch, not the adapters). */
describe('fake DingTalk messageFiles/download and OSS host', () => {
  let fake: FakeDingtalk;
  let now = Date.now();
  let token = '';
  const api = (body: unknown, t = token) => fetch(`${fake.baseUrl}/v1.0/robot/messageFiles/download`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': t }, body: JSON.stringify(body),
  });

  beforeAll(async () => {
    fake = await FakeDingtalk.start({ now: () => now });
    const r = await fetch(`${fake.baseUrl}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appKey: fake.clientId, appSecret: fake.clientSecret }) });
    token = ((await r.json()) as { accessToken: string }).accessToken;
  });
  afterAll(() => fake.close());

  it('exchanges a held downloadCode for a temporary URL serving the bytes to a bare GET', async () => {
    const code = fake.media.hold(Buffer.from('picture bytes'), fake.clientId);
    const r = await api({ downloadCode: code, robotCode: fake.clientId });
    expect(r.status).toBe(200);
    const { downloadUrl } = (await r.json()) as { downloadUrl: string };
    expect(downloadUrl).toMatch(/\?Expires=\d+&OSSAccessKeyId=\w+&Signature=/);
    const get = await fetch(downloadUrl);
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).toString()).toBe('picture bytes');
  });

  it('answers errors as api.dingtalk.com does: HTTP 400 {code, message, requestid}', async () => {
    const code = fake.media.hold(Buffer.from('x'), fake.clientId);
    const cases: [unknown, string, string?][] = [
      [{ downloadCode: code, robotCode: fake.clientId }, 'InvalidAuthentication', 'not-a-token'],
      [{ robotCode: fake.clientId }, 'MissingdownloadCode'],
      [{ downloadCode: 'unknown==', robotCode: fake.clientId }, 'invalidParameter.downloadCode.invalid'],
      [{ downloadCode: code, robotCode: 'dingother' }, 'invalidParameter.robotCode.auth'],
    ];
    for (const [body, expected, t] of cases) {
      const r = await api(body, t);
      expect(r.status).toBe(400);
      const b = (await r.json()) as Record<string, unknown>;
      expect(b).toMatchObject({ code: expected, message: expect.any(String), requestid: expect.any(String) });
    }
  });

  it('the OSS URL refuses a GET with Content-Type, expires, and can fail with 502 once', async () => {
    const code = fake.media.hold(Buffer.from('y'), fake.clientId);
    const { downloadUrl } = (await (await api({ downloadCode: code, robotCode: fake.clientId })).json()) as { downloadUrl: string };
    const typed = await fetch(downloadUrl, { headers: { 'content-type': 'application/octet-stream' } });
    expect(typed.status).toBe(403);
    expect(await typed.text()).toContain('SignatureDoesNotMatch');
    fake.media.fail502(1);
    expect((await fetch(downloadUrl)).status).toBe(502);
    expect((await fetch(downloadUrl)).status).toBe(200);
    const tampered = downloadUrl.replace(/Expires=(\d+)/, (_m, n) => `Expires=${Number(n) + 1}`);
    expect((await fetch(tampered)).status).toBe(403);
    now += fake.media.urlTtlMs + 1_000;
    const late = await fetch(downloadUrl);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
  });
});

describe('fake WeCom media host', () => {
  let now = Date.now();
  const media = new FakeWecomMedia(() => now);
  beforeAll(() => media.start());
  afterAll(() => media.close());

  /** Independent decryption per the documented scheme: key = base64(aeskey), IV = key[0..16], PKCS#7 to 32. */
  const decrypt = (aeskey: string, data: Buffer) => {
    const key = Buffer.from(aeskey, 'base64');
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(data), d.final()]);
    return { plain: plain.subarray(0, plain.length - plain[plain.length - 1]!), pad: plain[plain.length - 1]! };
  };

  it.each([1, 31, 32, 33, 1000])('serves %i bytes AES-256-CBC encrypted, padded to a multiple of 32', async (n) => {
    const plain = Buffer.alloc(n, 0x5a);
    const { url, aeskey } = media.hold(plain, { fileName: '整改报告.pdf' });
    const r = await fetch(url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain("filename*=UTF-8''%E6%95%B4%E6%94%B9%E6%8A%A5%E5%91%8A.pdf");
    const data = Buffer.from(await r.arrayBuffer());
    expect(data.length % 32).toBe(0);
    const out = decrypt(aeskey!, data);
    expect(out.plain.equals(plain)).toBe(true);
    expect(out.pad).toBe(32 - (n % 32));
  });

  it('URLs expire after 5 minutes and can fail with 502 once', async () => {
    const { url } = media.hold(Buffer.from('z'));
    media.fail502(1);
    expect((await fetch(url)).status).toBe(502);
    expect((await fetch(url)).status).toBe(200);
    now += 5 * 60_000 + 1;
    expect((await fetch(url)).status).toBe(403);
  });
});
