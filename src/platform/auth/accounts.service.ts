import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Generated, type Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { appendAudit, type AuditActor } from '../audit/audit.service.js';
import { AppError, conflict, notFound, validationFailed } from '../http/errors.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { ROLES, type Actor, type Role } from './policy.js';

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  role: Role;
  member_id: string;
  active: Generated<boolean>;
  failed_logins: Generated<number>;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type User = Selectable<UsersTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}
export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: Generated<Date>;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

declare module '../db/database.js' {
  interface Tables {
    users: UsersTable;
    sessions: SessionsTable;
    api_tokens: ApiTokensTable;
  }
}

/** What the platform needs to know of the member tree; the territory module provides it. */
export interface MemberSummary {
  id: string;
  name: string;
  kind: string;
}
export interface MemberDirectory {
  get(memberId: string): Promise<MemberSummary | undefined>;
  /** The member and every member below it. */
  tree(memberId: string): Promise<ReadonlySet<string>>;
}

export const LOCKOUT = { failures: 5, minutes: 15 } as const;
export const SESSION = { idleMinutes: 120, absoluteHours: 12, touchEverySeconds: 60 } as const;

export interface PublicUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  memberId: string;
  active: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
  createdAt: string;
}

export function toPublicUser(u: User): PublicUser {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    memberId: u.member_id,
    active: u.active,
    lockedUntil: u.locked_until && u.locked_until > new Date() ? u.locked_until.toISOString() : null,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
  };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
export const actorLabel = (u: { email: string }): AuditActor['label'] => u.email;

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  role: Role;
  memberId: string;
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  memberId?: string;
  active?: boolean;
  password?: string;
}

export interface SessionGrant {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  user: User;
}

/**
 * Integrations call with the same token many times a second: its account is kept in memory for
 * TOKEN_CACHE_MS and looked up again in the background after half of it, so that no request waits on the
 * database once a token is known. Revoking a token or changing an account clears the cache at once on this
 * node; other nodes follow within TOKEN_CACHE_MS.
 */
export const TOKEN_CACHE_MS = 10_000;
const TOKEN_CACHE_MAX = 10_000;

interface CachedToken {
  user: Promise<User | undefined>;
  fetchedAt: number;
  refreshing: boolean;
}

export class AccountsService {
  private readonly tokenCache = new Map<string, CachedToken>();

  constructor(
    private readonly db: Db,
    private readonly members: MemberDirectory,
  ) {}

  async actorFor(user: User): Promise<Actor> {
    return { userId: user.id, email: user.email, role: user.role, memberId: user.member_id, memberTree: await this.members.tree(user.member_id) };
  }

  async findByEmail(email: string): Promise<User | undefined> {
    return this.db.selectFrom('users').selectAll().where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
  }

  async get(id: string): Promise<User> {
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!user) throw notFound('Utilisateur');
    return user;
  }

  private async checkNewUser(input: { email?: string; password?: string; memberId?: string; role?: Role }, email: string): Promise<void> {
    const details = [];
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, email);
      if (problem) details.push({ field: '/body/password', message: problem });
    }
    if (input.role !== undefined && !ROLES.includes(input.role)) details.push({ field: '/body/role', message: 'rôle inconnu' });
    if (input.memberId !== undefined && !(await this.members.get(input.memberId))) {
      details.push({ field: '/body/memberId', message: `membre inconnu : ${input.memberId}` });
    }
    if (details.length) throw validationFailed(details);
  }

  async create(actor: AuditActor, input: NewUser): Promise<User> {
    const email = input.email.trim().toLowerCase();
    await this.checkNewUser(input, email);
    if (await this.findByEmail(email)) {
      throw conflict(`Un compte existe déjà pour ${email}.`, [{ field: '/body/email', message: 'adresse déjà utilisée' }]);
    }
    const passwordHash = await hashPassword(input.password);
    return this.db.transaction().execute(async (trx) => {
      const user = await trx
        .insertInto('users')
        .values({
          id: randomUUID(),
          email,
          display_name: input.displayName.trim(),
          password_hash: passwordHash,
          role: input.role,
          member_id: input.memberId,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, {
        actor,
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        memberId: user.member_id,
        summary: { after: { email, role: user.role, memberId: user.member_id } },
      });
      return user;
    });
  }

  async update(actor: AuditActor, id: string, changes: UserChanges): Promise<User> {
    const before = await this.get(id);
    await this.checkNewUser(changes, before.email);
    const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : undefined;
    const updated = await this.db.transaction().execute(async (trx) => {
      const user = await trx
        .updateTable('users')
        .set({
          ...(changes.displayName !== undefined && { display_name: changes.displayName.trim() }),
          ...(changes.role !== undefined && { role: changes.role }),
          ...(changes.memberId !== undefined && { member_id: changes.memberId }),
          ...(changes.active !== undefined && { active: changes.active }),
          ...(passwordHash !== undefined && { password_hash: passwordHash, failed_logins: 0, locked_until: null }),
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      // A disabled account, a new role or a new password ends the sessions opened before.
      if (changes.active === false || changes.role !== undefined || changes.memberId !== undefined || passwordHash !== undefined) {
        await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      }
      const pick = (u: User) => ({ displayName: u.display_name, role: u.role, memberId: u.member_id, active: u.active });
      await appendAudit(trx, {
        actor,
        action: 'user.update',
        entityType: 'user',
        entityId: id,
        memberId: user.member_id,
        summary: { before: pick(before), after: pick(user), passwordChanged: passwordHash !== undefined },
      });
      return user;
    });
    this.tokenCache.clear();
    return updated;
  }

  /** Checks a password, with lockout after repeated failures; opens a session on success. */
  async login(email: string, password: string, from: string): Promise<SessionGrant> {
    const user = await this.findByEmail(email.trim());
    const now = new Date();
    if (user?.locked_until && user.locked_until > now) throw lockedError(user.locked_until);
    const valid = await verifyPassword(user?.password_hash, password);
    if (!user || !valid || !user.active) {
      if (user && !valid) await this.recordFailure(user, from);
      else
        await appendAudit(this.db, {
          actor: { id: user?.id ?? null, label: email.slice(0, 200) },
          action: 'auth.login_failed',
          entityType: 'user',
          entityId: user?.id ?? null,
          summary: { from, reason: user ? 'account_disabled' : 'unknown_account' },
        });
      throw new AppError(401, 'invalid_credentials', 'Adresse e-mail ou mot de passe incorrect.');
    }
    const token = randomToken();
    const grant: SessionGrant = {
      token,
      csrfToken: randomToken(24),
      expiresAt: new Date(now.getTime() + SESSION.idleMinutes * 60_000),
      user,
    };
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('sessions').values({
        id_hash: sha256(token),
        user_id: user.id,
        csrf_token: grant.csrfToken,
        created_at: now,
        last_seen_at: now,
        expires_at: grant.expiresAt,
      }).execute();
      await trx.updateTable('users').set({ failed_logins: 0, locked_until: null, last_login_at: now }).where('id', '=', user.id).execute();
      await appendAudit(trx, { actor: { id: user.id, label: user.email }, action: 'auth.login', entityType: 'user', entityId: user.id, memberId: user.member_id, summary: { from } });
    });
    return grant;
  }

  private async recordFailure(user: User, from: string): Promise<void> {
    const lockExpired = user.locked_until !== null && user.locked_until <= new Date();
    const failures = (lockExpired ? 0 : user.failed_logins) + 1;
    const lockedUntil = failures >= LOCKOUT.failures ? new Date(Date.now() + LOCKOUT.minutes * 60_000) : null;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set({ failed_logins: lockedUntil ? 0 : failures, locked_until: lockedUntil })
        .where('id', '=', user.id)
        .execute();
      await appendAudit(trx, {
        actor: { id: user.id, label: user.email },
        action: lockedUntil ? 'auth.locked' : 'auth.login_failed',
        entityType: 'user',
        entityId: user.id,
        memberId: user.member_id,
        summary: { from, failures, lockedUntil: lockedUntil?.toISOString() ?? null },
      });
    });
    if (lockedUntil) throw lockedError(lockedUntil);
  }

  async logout(token: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id_hash', '=', sha256(token)).execute();
  }

  /** The user behind a session cookie, sliding the idle expiry; undefined when unknown or expired. */
  async resolveSession(token: string): Promise<{ user: User; csrfToken: string; expiresAt: Date } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.csrf_token', 'sessions.expires_at', 'sessions.last_seen_at', 'sessions.created_at as session_created_at'])
      .where('sessions.id_hash', '=', sha256(token))
      .executeTakeFirst();
    const now = new Date();
    if (!row || !row.active || row.expires_at <= now) return undefined;
    let expiresAt = row.expires_at;
    if (now.getTime() - row.last_seen_at.getTime() > SESSION.touchEverySeconds * 1000) {
      const absolute = row.session_created_at.getTime() + SESSION.absoluteHours * 3_600_000;
      expiresAt = new Date(Math.min(now.getTime() + SESSION.idleMinutes * 60_000, absolute));
      await this.db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id_hash', '=', sha256(token)).execute();
    }
    const { csrf_token, expires_at: _e, last_seen_at: _l, session_created_at: _c, ...user } = row;
    return { user, csrfToken: csrf_token, expiresAt };
  }

  async createToken(actor: AuditActor, user: User, name: string, expiresAt: Date | null): Promise<{ token: string; row: ApiToken }> {
    const token = `mut_${randomToken()}`;
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('api_tokens')
        .values({ id: randomUUID(), user_id: user.id, name, token_hash: sha256(token), prefix: token.slice(0, 10), expires_at: expiresAt })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, {
        actor,
        action: 'token.create',
        entityType: 'api_token',
        entityId: row.id,
        memberId: user.member_id,
        summary: { after: { name, userId: user.id, prefix: row.prefix, expiresAt: expiresAt?.toISOString() ?? null } },
      });
      return { token, row };
    });
  }

  async listTokens(userId: string): Promise<ApiToken[]> {
    return this.db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
  }

  async revokeToken(actor: AuditActor, userId: string, tokenId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('api_tokens')
        .set({ revoked_at: new Date() })
        .where('id', '=', tokenId)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw notFound('Jeton');
      await appendAudit(trx, { actor, action: 'token.revoke', entityType: 'api_token', entityId: tokenId, summary: { prefix: row.prefix } });
    });
    this.tokenCache.clear();
  }

  async resolveToken(token: string): Promise<User | undefined> {
    const hash = sha256(token);
    const now = Date.now();
    const cached = this.tokenCache.get(hash);
    if (cached && now - cached.fetchedAt < TOKEN_CACHE_MS) {
      if (!cached.refreshing && now - cached.fetchedAt > TOKEN_CACHE_MS / 2) {
        cached.refreshing = true;
        this.fetchToken(hash).user.catch(() => {});
      }
      return cached.user;
    }
    // Requests that arrive together share one lookup.
    return this.fetchToken(hash).user;
  }

  private fetchToken(hash: string): CachedToken {
    if (this.tokenCache.size >= TOKEN_CACHE_MAX) this.tokenCache.clear();
    const entry: CachedToken = { user: this.lookupToken(hash), fetchedAt: Date.now(), refreshing: false };
    const previous = this.tokenCache.get(hash);
    // A background refresh replaces the entry only once it has its answer, so that readers never wait.
    const install = () => {
      if (this.tokenCache.get(hash) === previous) this.tokenCache.set(hash, entry);
    };
    if (previous && Date.now() - previous.fetchedAt < TOKEN_CACHE_MS) {
      entry.user.then((user) => (user ? install() : this.tokenCache.delete(hash)), () => this.tokenCache.delete(hash));
    } else {
      this.tokenCache.set(hash, entry);
      entry.user.then((user) => user || this.tokenCache.delete(hash), () => this.tokenCache.delete(hash));
    }
    return entry;
  }

  private async lookupToken(hash: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('users')
      .select(['api_tokens.id as token_id', 'api_tokens.expires_at as token_expires_at', 'api_tokens.revoked_at', 'api_tokens.last_used_at'])
      .where('api_tokens.token_hash', '=', hash)
      .executeTakeFirst();
    const now = new Date();
    if (!row || !row.active || row.revoked_at || (row.token_expires_at && row.token_expires_at <= now)) return undefined;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > SESSION.touchEverySeconds * 1000) {
      await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
    }
    const { token_id: _i, token_expires_at: _e, revoked_at: _r, last_used_at: _l, ...user } = row;
    return user;
  }
}

function lockedError(until: Date): AppError {
  const time = until.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
  return new AppError(
    423,
    'account_locked',
    `Compte temporairement verrouillé après ${LOCKOUT.failures} échecs de connexion. Réessayez après ${time}.`,
    [{ field: 'lockedUntil', message: until.toISOString() }],
  );
}
