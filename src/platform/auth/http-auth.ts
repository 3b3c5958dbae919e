import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthenticated, AppError } from '../http/errors.js';
import type { AuditActor } from '../audit/audit.service.js';
import { can, type Action, type Actor, type Resource } from './policy.js';
import type { AccountsService, User } from './accounts.service.js';

export const SESSION_COOKIE = 'mutualis_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    user: User | null;
    authMethod: 'session' | 'token' | null;
    session: { csrfToken: string; expiresAt: Date } | null;
  }
  interface FastifyContextConfig {
    /** Routes that answer without an account (login, health, open data). */
    public?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates every /api request from its session cookie or its Bearer token, and guards
 * cookie-authenticated writes against CSRF with the session's token in the X-CSRF-Token header.
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { accounts: AccountsService }) => {
  app.decorateRequest('actor', null);
  app.decorateRequest('user', null);
  app.decorateRequest('authMethod', null);
  app.decorateRequest('session', null);

  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const user = match ? await opts.accounts.resolveToken(match[1]!) : undefined;
      if (!user) throw unauthenticated('Jeton d’API invalide, expiré ou révoqué.');
      request.user = user;
      request.actor = await opts.accounts.actorFor(user);
      request.authMethod = 'token';
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      const session = cookie ? await opts.accounts.resolveSession(cookie) : undefined;
      if (session) {
        if (!SAFE_METHODS.has(request.method) && request.headers['x-csrf-token'] !== session.csrfToken) {
          throw new AppError(403, 'csrf_failed', 'Jeton anti-CSRF absent ou invalide : rechargez la page.');
        }
        request.user = session.user;
        request.actor = await opts.accounts.actorFor(session.user);
        request.authMethod = 'session';
        request.session = { csrfToken: session.csrfToken, expiresAt: session.expiresAt };
      }
    }
    if (!request.actor && !request.routeOptions.config.public) {
      throw unauthenticated(cookie(request) ? 'Session expirée : reconnectez-vous.' : 'Authentification requise.');
    }
  });
});

const cookie = (request: FastifyRequest) => request.cookies[SESSION_COOKIE] !== undefined;

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}

export function auditActorOf(request: FastifyRequest): AuditActor {
  const actor = actorOf(request);
  return { id: actor.userId, label: actor.email };
}

/** Throws 403 unless the actor may do `action` on `resource` owned by `memberId`. */
export function authorize(request: FastifyRequest, action: Action, resource: Resource, memberId: string | null): Actor {
  const actor = actorOf(request);
  if (!can(actor, action, resource, memberId)) throw forbidden();
  return actor;
}
