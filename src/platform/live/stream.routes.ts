import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainEvent, EventBus } from '../bus/event-bus.js';
import { actorOf, SESSION_COOKIE } from '../auth/http-auth.js';
import { can, RESOURCES, type Actor, type Resource } from '../auth/policy.js';
import type { AccountsService } from '../auth/accounts.service.js';

export interface StreamOptions {
  bus: EventBus;
  accounts: AccountsService;
  /** Comment lines keep proxies from closing an idle stream. */
  heartbeatMs?: number;
}

/**
 * May the actor see this event? The topic's second segment names the resource, alone
 * ("territory.site.created": site) or after the module ("purchasing.order.sent": purchasing_order);
 * an event of any other kind is shown only within the actor's own member tree.
 */
export function mayReceive(actor: Actor, event: DomainEvent): boolean {
  if (event.memberId === null) return true;
  const [module, segment] = event.topic.split('.');
  const resource = [segment, `${module}_${segment}`].find((name): name is Resource => RESOURCES.includes(name as Resource));
  if (resource) return can(actor, 'read', resource, event.memberId);
  return actor.memberTree.has(event.memberId);
}

function frame(event: DomainEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

const StreamQuery = Type.Object(
  { since: Type.Optional(Type.Integer({ minimum: 0, description: 'Reprendre après cet identifiant d’événement (comme Last-Event-ID)' })) },
  { additionalProperties: false },
);

export const streamRoutes: FastifyPluginAsyncTypebox<StreamOptions> = async (app, { bus, accounts, heartbeatMs = 20_000 }) => {
  const open = new Set<ServerResponse>();
  // A stream never ends by itself: closing the server ends them, or close() would wait for the clients.
  app.addHook('onClose', async () => {
    for (const res of open) res.end();
  });

  app.get(
    '/api/stream',
    {
      schema: {
        tags: ['platform'],
        summary: 'Événements en direct (Server-Sent Events) visibles par l’utilisateur',
        description:
          "Flux `text/event-stream` : chaque événement a pour `id` son numéro d'ordre, pour `data` l'événement en JSON (`topic`, ex. `territory.site.created`, `memberId`, `data`). À la reconnexion, l'en-tête `Last-Event-ID` (ou `?since=`) renvoie les événements manqués encore en mémoire. Le premier message, `ready`, indique si la reprise est complète (`resumed`) ; sinon le client recharge ses vues. Un commentaire est envoyé toutes les 20 s , et l'événement `expired` à l'expiration de la session.",
        querystring: StreamQuery,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'Flux text/event-stream' }), 401: Type.Ref('Error') },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const header = request.headers['last-event-id'];
      const lastId = typeof header === 'string' && /^\d+$/.test(header) ? Number(header) : request.query.since;

      const cookie = request.authMethod === 'session' ? request.cookies[SESSION_COOKIE] : undefined;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      open.add(res);

      // Events published while catching up are queued, so that none is lost or sent out of order.
      let queue: DomainEvent[] | null = [];
      const unsubscribe = bus.subscribe('*', (event) => {
        if (!mayReceive(actor, event)) return;
        if (queue) queue.push(event);
        else res.write(frame(event));
      });

      const held = bus.since(0);
      const latest = held.at(-1)?.seq ?? 0;
      let resumed = false;
      let sent = latest;
      // Resuming needs every event after lastId still held; after a gap or a server restart, the client reloads.
      if (lastId !== undefined && lastId <= latest && lastId >= (held[0]?.seq ?? 1) - 1) {
        resumed = true;
        sent = lastId;
        for (const event of bus.since(lastId)) {
          if (mayReceive(actor, event)) res.write(frame(event));
          sent = event.seq;
        }
      }
      res.write(`retry: 3000\nid: ${sent}\nevent: ready\ndata: ${JSON.stringify({ seq: sent, resumed })}\n\n`);
      for (const event of queue) if (event.seq > sent) res.write(frame(event));
      queue = null;

      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
      // Checked when the session would expire, not on each heartbeat: a check slides the idle expiry, and
      // an open tab must not keep an unattended session alive. Activity elsewhere pushes the check back.
      let expiryCheck: NodeJS.Timeout | undefined;
      const checkAt = (expiresAt: Date) => {
        expiryCheck = setTimeout(() => {
          void accounts
            .resolveSession(cookie!)
            .then((session) => (session ? checkAt(session.expiresAt) : res.end('event: expired\ndata: {}\n\n')))
            .catch((error) => request.log.warn({ err: error }, 'live stream: session check failed'));
        }, Math.max(1000, expiresAt.getTime() - Date.now() + 1000));
      };
      if (cookie && request.session) checkAt(request.session.expiresAt);

      res.on('close', () => {
        clearInterval(heartbeat);
        clearTimeout(expiryCheck);
        unsubscribe();
        open.delete(res);
      });
    },
  );
};
