import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { AppError, notFound, unauthenticated } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable, Uuid } from '../../platform/http/schemas.js';
import { ALARM_STATES, QUALIFICATIONS } from './security.tables.js';
import { EVENT_TYPES } from './event-formats.js';
import { TIME_WINDOWS } from './rule-engine.js';
import type { SecurityService } from './security.service.js';
import type { AlarmVerb } from './alarms.service.js';

const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description && { description }) });

const State = literals(ALARM_STATES, 'new (nouvelle), taken (prise en charge), verification (levée de doute), qualified (qualifiée), closed (close)');
const Priority = Type.Integer({ minimum: 1, maximum: 5, description: '1 : la plus haute' });

const AlarmSchema = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    typeLabel: Type.String(),
    title: Type.String(),
    priority: Priority,
    state: State,
    siteId: Type.String(),
    siteName: Type.String(),
    memberId: Type.String(),
    deviceId: Nullable(Type.String()),
    ruleId: Nullable(Type.String()),
    eventCount: Type.Integer({ description: 'Événements regroupés dans cette alarme' }),
    firstEventAt: Type.String(),
    lastEventAt: Type.String(),
    createdAt: Type.String(),
    deadlineAt: Type.String({ description: 'Au-delà, une alarme non prise est escaladée (priorité relevée)' }),
    escalationLevel: Type.Integer(),
    takenBy: Nullable(Type.String()),
    takenByLabel: Nullable(Type.String()),
    takenAt: Nullable(Type.String()),
    verificationAt: Nullable(Type.String()),
    qualifiedAt: Nullable(Type.String()),
    qualification: Nullable(literals(QUALIFICATIONS)),
    qualificationDetails: Nullable(Type.Record(Type.String(), Type.Unknown())),
    closedAt: Nullable(Type.String()),
    report: Nullable(Type.String()),
    reopenCount: Type.Integer(),
  },
  { $id: 'SecurityAlarm' },
);

const RuleFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: literals(['event', 'burst', 'combination'] as const, 'event : un type d’événement ; burst : N événements à une même porte dans la fenêtre ; combination : deux types dans la même zone d’un site'),
  eventType: literals(EVENT_TYPES),
  otherEventType: Nullable(literals(EVENT_TYPES)),
  alarmType: Type.String({ description: 'Type de l’alarme créée (par défaut, pour event, le type d’événement)' }),
  threshold: Nullable(Type.Integer({ minimum: 2, maximum: 1000 })),
  correlationWindowSec: Nullable(Type.Integer({ minimum: 1, maximum: 86_400 })),
  siteId: Nullable(Uuid),
  deviceId: Nullable(Uuid),
  windows: Type.Array(literals(TIME_WINDOWS), { description: 'Vide : à toute heure ; sinon school_hours, night, weekend, holiday (heure de Paris)', maxItems: 4 }),
  priority: Priority,
  groupWindowSec: Type.Integer({ minimum: 0, maximum: 86_400, description: 'Les répétitions dans cette fenêtre s’ajoutent à l’alarme ouverte' }),
  deadlineSec: Type.Integer({ minimum: 30, maximum: 86_400, description: 'Délai de prise en charge avant escalade' }),
  enabled: Type.Boolean(),
};
const RuleSchema = Type.Object({ id: Type.String(), ...RuleFields }, { $id: 'SecurityRule' });
const RuleInput = Type.Object(
  {
    ...RuleFields,
    otherEventType: Type.Optional(RuleFields.otherEventType),
    alarmType: Type.Optional(Type.String({ maxLength: 50 })),
    threshold: Type.Optional(RuleFields.threshold),
    correlationWindowSec: Type.Optional(RuleFields.correlationWindowSec),
    siteId: Type.Optional(RuleFields.siteId),
    deviceId: Type.Optional(RuleFields.deviceId),
    windows: Type.Optional(RuleFields.windows),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const RulePatch = Type.Partial(Type.Object({ ...RuleFields, alarmType: Type.String({ maxLength: 50 }) }), { additionalProperties: false, minProperties: 1 });

const HistorySchema = Type.Object({ at: Type.String(), actorLabel: Type.String(), action: Type.String(), fromState: Nullable(Type.String()), toState: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) });
const EventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  typeLabel: Type.String(),
  source: Type.String(),
  occurredAt: Type.String(),
  receivedAt: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  deviceCode: Type.String(),
  deviceName: Type.String(),
});
const ProcedureSchema = Type.Object({ alarmType: Type.String(), title: Type.String(), steps: Type.Array(Type.String()) });

const QualifyBody = Type.Object(
  {
    qualification: literals(QUALIFICATIONS, 'false_alarm (fausse alarme), technical_fault (panne : ouvre un ticket), handled_on_site (traitée sur place), police_called (police appelée)'),
    cause: Type.Optional(Type.String({ maxLength: 500, description: 'Cause de la fausse alarme (obligatoire pour false_alarm)' })),
    fault: Type.Optional(Type.String({ maxLength: 1000, description: 'Panne constatée (obligatoire pour technical_fault)' })),
    police: Type.Optional(
      Type.Object(
        { calledAt: Type.String({ description: 'Heure de l’appel (ISO 8601)' }), reference: Type.String({ maxLength: 100 }), outcome: Type.String({ maxLength: 1000 }) },
        { additionalProperties: false },
      ),
    ),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const VERB_SUMMARY: Record<AlarmVerb, string> = {
  take: 'Prendre en charge une alarme nouvelle (les autres voient qui l’a prise)',
  verify: 'Commencer la levée de doute',
  qualify: 'Qualifier : fausse alarme (cause), panne (ouvre un ticket), traitée sur place, police appelée (heure, référence, suite)',
  close: 'Clore une alarme qualifiée avec son rapport',
  reopen: 'Rouvrir une alarme qualifiée ou close (retour en file)',
};

export const alarmRoutes: FastifyPluginAsyncTypebox<{ security: SecurityService }> = async (app, { security }) => {
  app.addSchema(AlarmSchema);
  app.addSchema(RuleSchema);
  const { alarms, devices } = security;

  const visibleAlarm = async (request: Parameters<typeof actorOf>[0], id: string) => {
    const alarm = await alarms.get(id);
    authorize(request, 'read', 'security_alarm', alarm.memberId);
    if (!devices.inScope(await devices.scopeOf(actorOf(request), 'security_alarm'), alarm)) throw notFound('Alarme');
    return alarm;
  };

  app.get(
    '/api/security/alarms',
    {
      schema: {
        tags: ['security'],
        summary: 'Alarmes des sites visibles ; par défaut dans l’ordre de la file (priorité puis ancienneté)',
        querystring: listQuery(['queue', 'createdAt', 'priority', 'lastEventAt', 'state'], {
          state: Type.Optional(Type.Array(State, { description: 'Un ou plusieurs états (state=new&state=taken)' })),
          siteId: Type.Optional(Uuid),
          priority: Type.Optional(Type.Array(Priority)),
          from: Type.Optional(Type.String({ format: 'date-time', description: 'Créées à partir de' })),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'Créées avant' })),
        }),
        response: { 200: pageOf(Type.Ref('SecurityAlarm')), ...commonErrors },
      },
    },
    async (request) => {
      const actor = authorize(request, 'read', 'security_alarm', actorOf(request).memberId);
      return alarms.list(await devices.scopeOf(actor, 'security_alarm'), request.query);
    },
  );

  app.get(
    '/api/security/alarms/:id',
    {
      schema: {
        tags: ['security'],
        summary: 'Une alarme avec son historique, ses événements, sa procédure, son équipement et son site',
        params: IdParams,
        response: {
          200: Type.Object({
            alarm: Type.Ref('SecurityAlarm'),
            history: Type.Array(HistorySchema),
            events: Type.Array(EventSchema),
            procedure: Nullable(ProcedureSchema),
            device: Nullable(Type.Ref('SecurityDevice')),
            site: Type.Object({ id: Type.String(), name: Type.String(), longitude: Type.Number(), latitude: Type.Number() }),
            cameras: Type.Array(Type.Ref('SecurityDevice'), { description: 'Caméras du site, pour la levée de doute' }),
            tickets: Type.Array(Type.Object({ id: Type.String(), description: Type.String(), status: Type.String(), createdAt: Type.String(), createdBy: Type.String() }), { description: 'Tickets de maintenance ouverts par la qualification' }),
          }),
          404: Type.Ref('Error'),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const alarm = await visibleAlarm(request, request.params.id);
      const [history, events, procedure, device, site, cameras, tickets] = await Promise.all([
        alarms.history(alarm.id),
        alarms.events(alarm.id),
        alarms.procedure(alarm.type),
        alarm.deviceId ? devices.get(alarm.deviceId) : null,
        security.siteOf(alarm.siteId),
        devices.list({ all: true }, { siteId: alarm.siteId, kind: 'camera', page: 1, pageSize: 50 }),
        alarms.openTicketsFor(alarm.id),
      ]);
      return {
        alarm,
        history,
        events,
        procedure,
        device,
        site,
        cameras: cameras.items,
        tickets: tickets.map((k) => ({ id: k.id, description: k.description, status: k.status, createdAt: k.created_at.toISOString(), createdBy: k.created_by })),
      };
    },
  );

  for (const verb of ['take', 'verify', 'qualify', 'close', 'reopen'] as const) {
    app.post(
      `/api/security/alarms/:id/${verb}`,
      {
        schema: {
          tags: ['security'],
          summary: VERB_SUMMARY[verb],
          params: IdParams,
          ...(verb === 'qualify' && { body: QualifyBody }),
          ...(verb === 'close' && { body: Type.Object({ report: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false }) }),
          ...(verb === 'reopen' && { body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }) }),
          response: { 200: Type.Ref('SecurityAlarm'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
        },
      },
      async (request) => {
        const alarm = await visibleAlarm(request, request.params.id);
        const actor = authorize(request, 'update', 'security_alarm', alarm.memberId);
        const body = (request.body ?? {}) as { report?: string; reason?: string } & Record<string, unknown>;
        return alarms.transition(actor, verb, alarm.id, verb === 'qualify' ? { qualification: body as never } : body);
      },
    );
  }

  const Stat = Type.Object({ p50: Nullable(Type.Integer()), p90: Nullable(Type.Integer()), count: Type.Integer() }, { description: 'Secondes depuis la création de l’alarme' });
  const Rate = Type.Array(Type.Object({ id: Type.String(), name: Type.String(), qualified: Type.Integer(), falseAlarms: Type.Integer(), rate: Type.Number() }));
  app.get(
    '/api/security/indicators',
    {
      schema: {
        tags: ['security'],
        summary: 'Indicateurs : délais de prise en charge et de qualification (p50, p90), taux de fausses alarmes, appels à la police par mois, disponibilité des équipements',
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            alarms: Type.Integer(),
            timeToTake: Stat,
            timeToQualify: Stat,
            falseAlarmRate: Type.Object({ byDevice: Rate, bySite: Rate, byRule: Rate }),
            policeCallsByMonth: Type.Array(Type.Object({ month: Type.String(), calls: Type.Integer() })),
            devices: Type.Object({ total: Type.Integer(), online: Type.Integer(), offline: Type.Integer(), tampered: Type.Integer(), unknown: Type.Integer(), availability: Nullable(Type.Number()) }),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const actor = authorize(request, 'read', 'security_alarm', actorOf(request).memberId);
      return alarms.indicators(await devices.scopeOf(actor, 'security_alarm'), request.query);
    },
  );

  app.post(
    '/api/security/events',
    {
      config: { public: true },
      schema: {
        tags: ['security'],
        summary: 'Envoyer un événement d’équipement par HTTP (équipements sans MQTT), avec le jeton de l’équipement',
        description:
          'En-tête `X-Device-Token` : le jeton créé par POST /api/security/devices/{id}/token. Corps : l’événement générique `{id, type, occurredAt?, details?}` (voir docs/security.md). Un événement déjà reçu (même id) ne crée rien (200 duplicate). Un corps invalide va dans les lettres mortes et reçoit 422 avec la raison.',
        security: [],
        headers: Type.Object({ 'x-device-token': Type.Optional(Type.String()) }),
        body: Type.Unknown({ description: 'Événement générique (schéma dans docs/security.md)' }),
        response: {
          200: Type.Object({ outcome: Type.Literal('duplicate') }),
          202: Type.Object({ outcome: Type.Literal('stored'), alarmId: Nullable(Type.String()) }),
          401: Type.Ref('Error'),
          422: Type.Ref('Error'),
        },
      },
    },
    async (request, reply) => {
      const token = request.headers['x-device-token'];
      const device = typeof token === 'string' && token ? await devices.deviceByToken(token) : undefined;
      if (!device) throw unauthenticated('Jeton d’équipement absent ou invalide (en-tête X-Device-Token).');
      const result = await security.ingest.submitHttp(device.id, request.body);
      if (result.outcome === 'dead') throw new AppError(422, 'event_rejected', `Événement refusé : ${result.reason}`, [{ field: '/body', message: result.reason ?? '' }]);
      if (result.outcome === 'duplicate') return reply.status(200).send({ outcome: 'duplicate' as const });
      return reply.status(202).send({ outcome: 'stored' as const, alarmId: result.alarmId ?? null });
    },
  );

  app.get(
    '/api/security/dead-letters',
    {
      schema: {
        tags: ['security'],
        summary: 'Messages refusés à l’ingestion (non JSON, hors schéma, équipement inconnu), avec leur raison',
        querystring: Type.Object({ page: Type.Integer({ minimum: 1, default: 1 }), pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: {
          200: pageOf(Type.Object({ id: Type.Integer(), receivedAt: Type.String(), source: Type.String(), topic: Nullable(Type.String()), payload: Type.String(), reason: Type.String() })),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      authorize(request, 'read', 'security_dead_letter', null);
      return security.deadLetters(request.query);
    },
  );

  app.get(
    '/api/security/rules',
    { schema: { tags: ['security'], summary: 'Règles qui font des événements des alarmes', response: { 200: Type.Array(Type.Ref('SecurityRule')), ...commonErrors } } },
    async (request) => {
      authorize(request, 'read', 'security_rule', null);
      return security.rules.list();
    },
  );

  app.post(
    '/api/security/rules',
    { schema: { tags: ['security'], summary: 'Créer une règle (vérifiée et journalisée)', body: RuleInput, response: { 201: Type.Ref('SecurityRule'), ...commonErrors } } },
    async (request, reply) => {
      authorize(request, 'create', 'security_rule', null);
      const b = request.body;
      const rule = await security.rules.create(auditActorOf(request), {
        ...b,
        otherEventType: b.otherEventType ?? null,
        alarmType: b.alarmType ?? '',
        threshold: b.threshold ?? null,
        correlationWindowSec: b.correlationWindowSec ?? null,
        siteId: b.siteId ?? null,
        deviceId: b.deviceId ?? null,
        windows: b.windows ?? [],
        enabled: b.enabled ?? true,
      });
      return reply.status(201).send(rule);
    },
  );

  app.patch(
    '/api/security/rules/:id',
    { schema: { tags: ['security'], summary: 'Modifier une règle', params: IdParams, body: RulePatch, response: { 200: Type.Ref('SecurityRule'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      authorize(request, 'update', 'security_rule', null);
      return security.rules.update(auditActorOf(request), request.params.id, request.body);
    },
  );

  app.delete(
    '/api/security/rules/:id',
    { schema: { tags: ['security'], summary: 'Supprimer une règle', params: IdParams, response: { 204: Type.Null(), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request, reply) => {
      authorize(request, 'delete', 'security_rule', null);
      await security.rules.delete(auditActorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
