import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { DEMO_PASSWORD } from '../../src/demo/demo-data.js';

interface Frame {
  id?: string;
  event: string;
  data: string;
}

/** A signed-in reader of /api/stream over real HTTP, frame by frame. */
class StreamReader {
  private buffer = '';
  private readonly frames: Frame[] = [];
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();

  constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    this.reader = response.body!.getReader();
  }

  static async open(base: string, cookie: string, headers: Record<string, string> = {}): Promise<StreamReader> {
    const abort = new AbortController();
    const response = await fetch(`${base}/api/stream`, { headers: { cookie, accept: 'text/event-stream', ...headers }, signal: abort.signal });
    return new StreamReader(response, abort);
  }

  /** The next frame that is not a comment, waiting at most `ms`. */
  async next(ms = 3000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const frame = this.frames.shift();
      if (frame) return frame;
      const chunk = await Promise.race([this.reader.read(), new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())))]);
      if (chunk === 'timeout') throw new Error('no frame in time');
      if (chunk.done) throw new Error('stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const parsed: Frame = { event: 'message', data: '' };
        let content = false;
        for (const line of block.split('\n')) {
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'id') parsed.id = value;
          if (field === 'event') parsed.event = value;
          if (field === 'data') parsed.data = value;
          if (field === 'id' || field === 'event' || field === 'data') content = true;
        }
        if (content) this.frames.push(parsed);
      }
    }
  }

  close(): void {
    this.abort.abort();
  }
}

let tp: TestPlatform;
let base: string;

async function login(email: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: DEMO_PASSWORD }) });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mutualis_session='))!.split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

async function createSite(who: { cookie: string; csrf: string }, name: string, longitude: number, latitude: number): Promise<string> {
  const res = await fetch(`${base}/api/sites`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: who.cookie, 'x-csrf-token': who.csrf },
    body: JSON.stringify({ kind: 'other', name, address: `${name}, adresse`, longitude, latitude }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  tp = await startTestPlatform('pglite');
  await tp.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(tp.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await tp?.close();
});

describe('GET /api/stream', () => {
  it('refuses an anonymous client', async () => {
    const res = await fetch(`${base}/api/stream`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it("forwards only the events of members the user may see, with the event's seq as id", async () => {
    const agent = await login('agent.versailles@mutualis.demo');
    const clamart = await login('admin.clamart@mutualis.demo');
    const stream = await StreamReader.open(base, agent.cookie);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const ready = await stream.next();
    expect(ready.event).toBe('ready');
    expect(JSON.parse(ready.data)).toMatchObject({ resumed: false });

    await createSite(clamart, 'Local technique de Clamart', 2.2637, 48.7992);
    const versaillesSite = await createSite(agent, 'Local technique de Versailles', 2.1296, 48.8014);
    const frame = await stream.next();
    const event = JSON.parse(frame.data) as { seq: number; topic: string; memberId: string; data: { id: string } };
    expect(event).toMatchObject({ topic: 'territory.site.created', memberId: 'com-78646', data: { id: versaillesSite } });
    expect(frame.id).toBe(String(event.seq));
    stream.close();
  });

  it('replays what a reconnecting client missed after Last-Event-ID, and says when it cannot', async () => {
    const admin = await login('admin@mutualis.demo');
    const first = await StreamReader.open(base, admin.cookie);
    const ready = JSON.parse((await first.next()).data) as { seq: number };
    first.close();

    const missed = await createSite(admin, 'Site créé pendant la coupure', 2.1303, 48.8036);
    const again = await StreamReader.open(base, admin.cookie, { 'last-event-id': String(ready.seq) });
    const replayed = JSON.parse((await again.next()).data) as { data: { id: string } };
    expect(replayed.data.id).toBe(missed);
    const resumed = await again.next();
    expect(resumed.event).toBe('ready');
    expect(JSON.parse(resumed.data)).toMatchObject({ resumed: true });
    again.close();

    // After a server restart the client's id is ahead of the bus: nothing to replay, the views must reload.
    const ahead = await StreamReader.open(base, admin.cookie, { 'last-event-id': '999999' });
    const notResumed = await ahead.next();
    expect(notResumed.event).toBe('ready');
    expect(JSON.parse(notResumed.data)).toMatchObject({ resumed: false });
    ahead.close();
  });
});
