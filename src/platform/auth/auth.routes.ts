import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { forbidden, notFound } from '../http/errors.js';
import { commonErrors, IdParams, Nullable } from '../http/schemas.js';
import { foldedSql, listQuery, offsetOf, pageOf, parseSort, searchPattern } from '../http/pagination.js';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { actorOf, auditActorOf, authorize, SESSION_COOKIE } from './http-auth.js';
import { ACTIONS, can, canAssignRole, RESOURCES, ROLE_LABELS, ROLES, visibleScope, type Role } from './policy.js';
import { toPublicUser, type AccountsService, type MemberDirectory, type User } from './accounts.service.js';

const RoleSchema = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES], description: 'Rôle' });
const Email = Type.String({ format: 'email', maxLength: 254 });

const UserSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    displayName: Type.String(),
    role: RoleSchema,
    memberId: Type.String(),
    active: Type.Boolean(),
    lockedUntil: Nullable(Type.String()),
    lastLoginAt: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { $id: 'User' },
);

const SessionSchema = Type.Object({
  user: Type.Ref('User'),
  member: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
  roleLabel: Type.String(),
  /** What the console may show: resource → allowed actions. */
  permissions: Type.Record(Type.String(), Type.Array(Type.String())),
  csrfToken: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
});

const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
  revokedAt: Nullable(Type.String()),
});

export interface AuthRoutesOptions {
  db: Db;
  accounts: AccountsService;
  members: MemberDirectory;
  secureCookies: boolean;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, { db, accounts, members, secureCookies }) => {
  app.addSchema(UserSchema);

  async function sessionView(user: User, csrfToken: string | null, expiresAt: Date | null) {
    const actor = await accounts.actorFor(user);
    const member = (await members.get(user.member_id)) ?? { id: user.member_id, name: user.member_id, kind: 'unknown' };
    const permissions: Record<string, string[]> = {};
    for (const resource of RESOURCES) {
      const allowed = ACTIONS.filter((action) => can(actor, action, resource, actor.memberId));
      if (allowed.length) permissions[resource] = allowed;
    }
    return {
      user: toPublicUser(user),
      member,
      roleLabel: ROLE_LABELS[user.role],
      permissions,
      csrfToken,
      expiresAt: expiresAt?.toISOString() ?? null,
    };
  }

  app.post(
    '/api/auth/login',
    {
      config: {
        public: true,
        // Per address and account: slows guessing on one account; the lockout stops it.
        rateLimit: { max: 10, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (req) => `${req.ip}|${String((req.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase()}` },
      },
      schema: {
        tags: ['auth'],
        summary: 'Ouvrir une session (cookie HttpOnly)',
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: SessionSchema, 401: Type.Ref('Error'), 423: Type.Ref('Error'), 429: Type.Ref('Error') },
      },
    },
    async (request, reply) => {
      const grant = await accounts.login(request.body.email, request.body.password, request.ip);
      reply.setCookie(SESSION_COOKIE, grant.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: secureCookies,
      });
      return sessionView(grant.user, grant.csrfToken, grant.expiresAt);
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { public: true }, schema: { tags: ['auth'], summary: 'Fermer la session', response: { 204: Type.Null() } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await accounts.logout(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/session',
    { schema: { tags: ['auth'], summary: 'La session en cours, ses droits et son jeton anti-CSRF', response: { 200: SessionSchema, 401: Type.Ref('Error') } } },
    async (request) => sessionView(request.user!, request.session?.csrfToken ?? null, request.session?.expiresAt ?? null),
  );

  app.get(
    '/api/roles',
    { schema: { tags: ['auth'], summary: 'Les rôles et leurs libellés', response: { 200: Type.Array(Type.Object({ id: RoleSchema, label: Type.String() })) } } },
    async () => ROLES.map((id) => ({ id, label: ROLE_LABELS[id] })),
  );

  // Users
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Lister les comptes visibles',
        querystring: listQuery(['email', 'displayName', 'role', 'createdAt'], {
          role: Type.Optional(RoleSchema),
          memberId: Type.Optional(Type.String({ maxLength: 40 })),
        }),
        response: { 200: pageOf(Type.Ref('User')), ...commonErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const scope = visibleScope(actor, 'user');
      if (scope === 'none') throw forbidden();
      const { q, role, memberId, page, pageSize } = request.query;
      const sort = parseSort(request.query.sort, 'email');
      const column = { email: 'email', displayName: 'display_name', role: 'role', createdAt: 'created_at' } as const;
      let query = db.selectFrom('users');
      if (scope !== 'all') query = query.where('member_id', 'in', scope);
      if (role) query = query.where('role', '=', role);
      if (memberId) query = query.where('member_id', '=', memberId);
      if (q) query = query.where(sql<string>`${sql.raw(foldedSql("email || ' ' || display_name"))}`, 'like', searchPattern(q));
      const [rows, count] = await Promise.all([
        query.selectAll().orderBy(column[sort.field as keyof typeof column], sort.direction).orderBy('id').limit(pageSize).offset(offsetOf({ page, pageSize })).execute(),
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toPublicUser), total: Number(count.n), page, pageSize };
    },
  );

  app.get(
    '/api/users/:id',
    { schema: { tags: ['users'], summary: 'Un compte', params: IdParams, response: { 200: Type.Ref('User'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      const user = await accounts.get(request.params.id);
      const actor = actorOf(request);
      if (!can(actor, 'read', 'user', user.member_id) && actor.userId !== user.id) throw notFound('Utilisateur');
      return toPublicUser(user);
    },
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Créer un compte',
        body: Type.Object(
          {
            email: Email,
            displayName: Type.String({ minLength: 1, maxLength: 120 }),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            role: RoleSchema,
            memberId: Type.String({ minLength: 1, maxLength: 40 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('User'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = authorize(request, 'create', 'user', request.body.memberId);
      if (!canAssignRole(actor, request.body.role)) throw forbidden(`Vous ne pouvez pas attribuer le rôle ${request.body.role}.`);
      const user = await accounts.create(auditActorOf(request), request.body);
      return reply.status(201).send(toPublicUser(user));
    },
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Modifier un compte (nom, rôle, membre, activation, mot de passe)',
        params: IdParams,
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
            role: Type.Optional(RoleSchema),
            memberId: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            active: Type.Optional(Type.Boolean()),
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Ref('User'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const target = await accounts.get(request.params.id);
      const actor = actorOf(request);
      const self = target.id === actor.userId;
      const adminChange = request.body.role !== undefined || request.body.memberId !== undefined || request.body.active !== undefined;
      // Anyone may change their own name and password; the rest takes an administrator of the member.
      if (!(self && !adminChange)) {
        authorize(request, 'update', 'user', target.member_id);
        if (request.body.memberId !== undefined) authorize(request, 'update', 'user', request.body.memberId);
        if (!canAssignRole(actor, request.body.role ?? target.role)) throw forbidden(`Vous ne pouvez pas gérer le rôle ${request.body.role ?? target.role}.`);
        if (self && request.body.active === false) throw forbidden('Vous ne pouvez pas désactiver votre propre compte.');
      }
      const user = await accounts.update(auditActorOf(request), target.id, request.body);
      return toPublicUser(user);
    },
  );

  // API tokens of the signed-in user
  const toToken = (t: { id: string; name: string; prefix: string; created_at: Date; expires_at: Date | null; last_used_at: Date | null; revoked_at: Date | null }) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.created_at.toISOString(),
    expiresAt: t.expires_at?.toISOString() ?? null,
    lastUsedAt: t.last_used_at?.toISOString() ?? null,
    revokedAt: t.revoked_at?.toISOString() ?? null,
  });

  app.get(
    '/api/tokens',
    { schema: { tags: ['tokens'], summary: "Mes jetons d'API", response: { 200: Type.Array(TokenSchema), ...commonErrors } } },
    async (request) => {
      const actor = authorize(request, 'read', 'token', actorOf(request).memberId);
      return (await accounts.listTokens(actor.userId)).map(toToken);
    },
  );

  app.post(
    '/api/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: "Créer un jeton d'API (affiché une seule fois)",
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 80 }), expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ token: Type.String(), info: TokenSchema }), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'token', actorOf(request).memberId);
      const days = request.body.expiresInDays;
      const { token, row } = await accounts.createToken(auditActorOf(request), request.user!, request.body.name, days ? new Date(Date.now() + days * 86_400_000) : null);
      return reply.status(201).send({ token, info: toToken(row) });
    },
  );

  app.delete(
    '/api/tokens/:id',
    { schema: { tags: ['tokens'], summary: "Révoquer un de mes jetons d'API", params: IdParams, response: { 204: Type.Null(), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request, reply) => {
      const actor = authorize(request, 'delete', 'token', actorOf(request).memberId);
      await accounts.revokeToken(auditActorOf(request), actor.userId, request.params.id);
      return reply.status(204).send(null);
    },
  );

};
