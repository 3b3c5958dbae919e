import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type * as Ocpp from 'ocpp-rpc';

export const ocpp = createRequire(import.meta.url)('ocpp-rpc') as typeof Ocpp;
export type Client = InstanceType<typeof ocpp.RPCClient>;

/** Listens on a free loopback port and answers the server's base WebSocket URL. */
export async function listen(app: FastifyInstance, scheme: 'ws' | 'wss' = 'ws'): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `${scheme}://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** A raw OCPP 1.6J client (not strict: the tests send what a faulty station would). */
export function client(url: string, identity: string, password: string | undefined, extra: Record<string, unknown> = {}): Client {
  return new ocpp.RPCClient({ endpoint: `${url}/ocpp`, identity, ...(password !== undefined && { password }), protocols: ['ocpp1.6'], reconnect: false, callTimeoutMs: 10_000, ...extra } as never);
}

/** The HTTP status of a refused upgrade, or 101 when the station got in. */
export async function upgradeStatus(c: Client): Promise<number> {
  try {
    await c.connect();
    await c.close();
    return 101;
  } catch (error) {
    const e = error as { code?: number; response?: { statusCode?: number } };
    return e.response?.statusCode ?? e.code ?? 0;
  }
}

/** Waits until `check` gives a value other than undefined/false (the server works asynchronously). */
export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i += 1) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Sends a raw frame and resolves with the next frame the server sends back. */
export function rawExchange(c: Client, frame: string): Promise<unknown[]> {
  return new Promise((resolve) => {
    const onMessage = ({ message, outbound }: { message: string; outbound: boolean }) => {
      if (outbound) return;
      (c as unknown as { off(e: string, l: unknown): void }).off('message', onMessage);
      resolve(JSON.parse(message.toString()) as unknown[]);
    };
    (c as unknown as { on(e: string, l: unknown): void }).on('message', onMessage);
    c.sendRaw(frame);
  });
}
