import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { stringify } from 'csv-stringify/sync';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { visibleScope } from '../../platform/auth/policy.js';
import { validationFailed } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable } from '../../platform/http/schemas.js';
import { ACCESS_CONDITIONS, BADGE_STATUSES, GRID_CONNECTIONS, IMPLANTATIONS, PMR_ACCESS, SOCKET_KINDS } from './charging.tables.js';
import type { ChargingService, Session } from './charging.service.js';
import { COMMANDS, type CentralSystem } from './central-system.js';
import { csvCell, DYNAMIC_COLUMNS, dynamicRows, publishedStations, STATIC_COLUMNS, staticRows, type OpenDataRow } from './open-data.js';
import type { ChargingIndicators } from './indicators.js';

const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description && { description }) });

const Insee = Type.String({ pattern: '^(78|92)\\d{3}$', description: 'Code INSEE de commune (78xxx ou 92xxx)' });
const IsoDate = Type.String({ format: 'date', description: 'AAAA-MM-JJ' });
const Identity = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,48}$', description: 'Identité OCPP de la borne (fin de l’URL ws://…/ocpp/{identité})' });
const IdTag = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,20}$', description: 'Identifiant du badge (idTag OCPP, 20 caractères au plus)' });
const TariffSchema = Type.Object(
  { perKwh: Type.Number({ minimum: 0, maximum: 100 }), perMinute: Type.Number({ minimum: 0, maximum: 100 }), fixedFee: Type.Number({ minimum: 0, maximum: 1000 }) },
  { additionalProperties: false, description: 'Tarif en euros : par kWh, par minute et forfait par session' },
);
const PointInput = Type.Object(
  {
    connectorId: Type.Integer({ minimum: 1, maximum: 9 }),
    maxPowerKw: Type.Number({ exclusiveMinimum: 0, maximum: 400 }),
    sockets: Type.Array(literals(SOCKET_KINDS), { minItems: 1, uniqueItems: true, description: 'T2 (Type 2S), EF (domestique E/F), CCS, CHADEMO, OTHER' }),
  },
  { additionalProperties: false },
);

const stationFields = {
  name: Type.String({ minLength: 1, maxLength: 120 }),
  siteId: Type.String({ format: 'uuid', description: 'Site du territoire (parking) où est la borne' }),
  password: Type.String({ minLength: 16, maxLength: 40, description: 'Mot de passe Basic de la borne (profil de sécurité OCPP 1), stocké haché' }),
  address: Type.String({ minLength: 1, maxLength: 300 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  openingHours: Type.String({ pattern: '(.*?)((\\d{1,2}:\\d{2})-(\\d{1,2}:\\d{2})|24/7)', maxLength: 200, description: 'Horaires au format OpenStreetMap, ex. 24/7 ou Mo-Fr 08:00-19:00' }),
  implantation: literals(IMPLANTATIONS),
  accessCondition: literals(ACCESS_CONDITIONS),
  pmr: literals(PMR_ACCESS),
  heightRestriction: Type.String({ minLength: 1, maxLength: 100 }),
  commissioningDate: Nullable(IsoDate),
  gridConnection: Nullable(literals(GRID_CONNECTIONS)),
  pdl: Nullable(Type.String({ pattern: '^\\d{14}$', description: 'Numéro du point de livraison (14 chiffres)' })),
  tariff: TariffSchema,
};
const { name, siteId, password, ...optionalFields } = stationFields;
const StationCreate = Type.Object(
  {
    name,
    siteId,
    password,
    ocppIdentity: Identity,
    ...Object.fromEntries(Object.entries(optionalFields).map(([k, v]) => [k, Type.Optional(v)])),
    chargePoints: Type.Optional(Type.Array(PointInput, { minItems: 1, maxItems: 9, description: 'Par défaut : connecteurs 1 et 2, 22 kW, prises T2 et E/F' })),
  },
  { additionalProperties: false },
);
const StationPatch = Type.Object(Object.fromEntries(Object.entries(stationFields).map(([k, v]) => [k, Type.Optional(v)])), { additionalProperties: false, minProperties: 1 });

const ChargePointSchema = Type.Object({
  connectorId: Type.Integer(),
  idPdcItinerance: Type.String(),
  maxPowerKw: Type.Number(),
  sockets: Type.Array(Type.String()),
  status: Nullable(Type.String({ description: 'Dernier statut OCPP (Available, Charging, Faulted…)' })),
  errorCode: Nullable(Type.String()),
  statusAt: Nullable(Type.String()),
  occupied: Type.Boolean({ description: 'En session de recharge' }),
});
const StationSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    idStationItinerance: Type.String(),
    name: Type.String(),
    registration: Type.String({ description: 'accepted ; pending : connectée d’elle-même, à rattacher à un site' }),
    siteId: Nullable(Type.String()),
    communeInsee: Nullable(Type.String()),
    communeName: Nullable(Type.String()),
    memberId: Type.String(),
    longitude: Nullable(Type.Number()),
    latitude: Nullable(Type.Number()),
    address: Type.String(),
    openingHours: Type.String(),
    implantation: Type.String(),
    accessCondition: Type.String(),
    pmr: Type.String(),
    heightRestriction: Type.String(),
    commissioningDate: Nullable(Type.String()),
    gridConnection: Nullable(Type.String()),
    pdl: Nullable(Type.String()),
    ocppIdentity: Type.String(),
    tariff: Type.Object({ perKwh: Type.Number(), perMinute: Type.Number(), fixedFee: Type.Number() }),
    vendor: Nullable(Type.String()),
    model: Nullable(Type.String()),
    serialNumber: Nullable(Type.String()),
    firmwareVersion: Nullable(Type.String()),
    firmwareStatus: Nullable(Type.String()),
    diagnosticsStatus: Nullable(Type.String()),
    configuration: Type.Unknown({ description: 'Dernière réponse à GetConfiguration' }),
    configurationAt: Nullable(Type.String()),
    lastBootAt: Nullable(Type.String()),
    lastSeenAt: Nullable(Type.String()),
    online: Type.Boolean(),
    chargePoints: Type.Array(ChargePointSchema),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'ChargingStation' },
);
const BadgeSchema = Type.Object(
  {
    idTag: Type.String(),
    label: Type.String(),
    status: Type.String(),
    ownerMemberId: Type.String(),
    ownerUserId: Nullable(Type.String()),
    expiresAt: Nullable(Type.String()),
    parentIdTag: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'ChargingBadge' },
);
const badgeFields = {
  label: Type.String({ minLength: 1, maxLength: 120 }),
  status: literals(BADGE_STATUSES),
  ownerMemberId: Type.String({ minLength: 1 }),
  ownerUserId: Nullable(Type.String({ format: 'uuid' })),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  parentIdTag: Nullable(IdTag),
};
const SessionSchema = Type.Object(
  {
    id: Type.String(),
    transactionId: Type.Integer(),
    stationId: Type.String(),
    stationName: Type.String(),
    communeInsee: Nullable(Type.String()),
    communeName: Nullable(Type.String()),
    connectorId: Type.Integer(),
    memberId: Type.String(),
    idTag: Type.String(),
    authStatus: Type.String(),
    meterStart: Type.Number({ description: 'Wh' }),
    meterStop: Nullable(Type.Number()),
    startedAt: Type.String(),
    stoppedAt: Nullable(Type.String()),
    stopReason: Nullable(Type.String()),
    energyKwh: Nullable(Type.Number()),
    durationMinutes: Nullable(Type.Number()),
    cost: Nullable(Type.Number({ description: 'Euros, selon le tarif de la borne' })),
    active: Type.Boolean(),
  },
  { $id: 'ChargingSession' },
);
const CommandSchema = Type.Object(
  {
    id: Type.String(),
    stationId: Type.String(),
    action: Type.String(),
    payload: Type.Unknown(),
    status: Type.String({ description: 'answered, rejected (la borne a refusé), offline, timeout, failed (erreur OCPP)' }),
    response: Type.Unknown(),
    error: Nullable(Type.String()),
    requestedBy: Type.String(),
    requestedAt: Type.String(),
    answeredAt: Nullable(Type.String()),
  },
  { $id: 'ChargingCommand' },
);
const SessionFilters = {
  stationId: Type.Optional(Type.String({ format: 'uuid' })),
  communeInsee: Type.Optional(Insee),
  idTag: Type.Optional(IdTag),
  active: Type.Optional(Type.Boolean({ description: 'En cours (true) ou terminées (false)' })),
  from: Type.Optional(IsoDate),
  to: Type.Optional(IsoDate),
};
const errorsWith = (...codes: number[]) => ({ ...commonErrors, ...Object.fromEntries(codes.map((c) => [c, Type.Ref('Error')])) });

const SESSION_CSV_COLUMNS = ['transaction', 'borne', 'commune', 'insee', 'connecteur', 'badge', 'debut', 'fin', 'duree_min', 'energie_kwh', 'cout_eur', 'motif_arret', 'autorisation'];
const sessionCsvRow = (s: Session) => [
  s.transactionId,
  s.stationName,
  s.communeName ?? '',
  s.communeInsee ?? '',
  s.connectorId,
  s.idTag,
  s.startedAt,
  s.stoppedAt ?? '',
  s.durationMinutes ?? '',
  s.energyKwh ?? '',
  s.cost ?? '',
  s.stopReason ?? '',
  s.authStatus,
];

export interface ChargingRoutesOptions {
  charging: ChargingService;
  central: CentralSystem;
  indicators: ChargingIndicators;
}

export const chargingRoutes: FastifyPluginAsyncTypebox<ChargingRoutesOptions> = async (app, { charging, central, indicators }) => {
  app.addSchema(StationSchema);
  app.addSchema(BadgeSchema);
  app.addSchema(SessionSchema);
  app.addSchema(CommandSchema);

  // Stations reach the central system on the API's own port: ws(s)://HOST:PORT/ocpp/{identity}.
  app.server.on('upgrade', central.handleUpgrade);
  // Before the HTTP server closes: it would otherwise wait for the stations' open sockets.
  app.addHook('preClose', async () => {
    app.server.off('upgrade', central.handleUpgrade);
    await central.close();
  });

  const stationFor = async (request: Parameters<typeof authorize>[0], id: string, action: 'read' | 'update' | 'delete' = 'read') => {
    const station = await charging.getStation(id);
    authorize(request, action, 'charging_station', station.memberId);
    return station;
  };

  app.get(
    '/api/charging/stations',
    {
      schema: {
        tags: ['charging'],
        summary: 'Bornes de recharge visibles, avec l’état de leurs points de charge',
        querystring: listQuery(['name', 'code', 'commune', 'lastSeenAt', 'createdAt'], { communeInsee: Type.Optional(Insee), registration: Type.Optional(literals(['accepted', 'pending'] as const)) }),
        response: { 200: pageOf(Type.Ref('ChargingStation')), ...commonErrors },
      },
    },
    async (request) => {
      const scope = visibleScope(actorOf(request), 'charging_station');
      if (scope === 'none') authorize(request, 'read', 'charging_station', null);
      return charging.listStations(scope === 'none' ? [] : scope, request.query);
    },
  );

  app.post(
    '/api/charging/stations',
    {
      schema: {
        tags: ['charging'],
        summary: 'Enregistrer une borne (identifiants AFIREV attribués, deux points de charge par défaut)',
        body: StationCreate,
        response: { 201: Type.Ref('ChargingStation'), ...errorsWith(409) },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'charging_station', null);
      return reply.status(201).send(await charging.createStation(auditActorOf(request), request.body as never));
    },
  );

  app.get(
    '/api/charging/stations/:id',
    { schema: { tags: ['charging'], summary: 'Une borne', params: IdParams, response: { 200: Type.Ref('ChargingStation'), ...errorsWith(404) } } },
    async (request) => stationFor(request, request.params.id),
  );

  app.patch(
    '/api/charging/stations/:id',
    {
      schema: {
        tags: ['charging'],
        summary: 'Modifier une borne (ou rattacher à un site une borne en attente)',
        params: IdParams,
        body: StationPatch,
        response: { 200: Type.Ref('ChargingStation'), ...errorsWith(404) },
      },
    },
    async (request) => {
      await stationFor(request, request.params.id, 'update');
      return charging.updateStation(auditActorOf(request), request.params.id, request.body as never);
    },
  );

  app.delete(
    '/api/charging/stations/:id',
    { schema: { tags: ['charging'], summary: 'Supprimer une borne sans session', params: IdParams, response: { 204: Type.Null(), ...errorsWith(404, 409) } } },
    async (request, reply) => {
      await stationFor(request, request.params.id, 'delete');
      await charging.deleteStation(auditActorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/charging/stations/:id/events',
    {
      schema: {
        tags: ['charging'],
        summary: 'Journal de la borne : connexions, démarrages, transferts de données, micrologiciel, diagnostics, anomalies',
        params: IdParams,
        response: { 200: Type.Array(Type.Object({ kind: Type.String(), detail: Type.Unknown(), at: Type.String() })), ...errorsWith(404) },
      },
    },
    async (request) => {
      await stationFor(request, request.params.id);
      return charging.stationEvents(request.params.id);
    },
  );

  app.get(
    '/api/charging/stations/:id/commands',
    {
      schema: {
        tags: ['charging'],
        summary: 'Commandes envoyées à la borne et leur résultat (les plus récentes d’abord)',
        params: IdParams,
        querystring: Type.Object({ page: Type.Integer({ minimum: 1, default: 1 }), pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: { 200: pageOf(Type.Ref('ChargingCommand')), ...errorsWith(404) },
      },
    },
    async (request) => {
      const station = await charging.getStation(request.params.id);
      authorize(request, 'read', 'charging_command', station.memberId);
      return charging.listCommands(station.id, request.query);
    },
  );

  app.post(
    '/api/charging/stations/:id/commands',
    {
      schema: {
        tags: ['charging'],
        summary: 'Envoyer une commande OCPP 1.6 à la borne et attendre sa réponse',
        description:
          'La charge utile suit le schéma OCPP 1.6 de l’action (ex. Reset : {"type":"Soft"}). 409 station_offline si la borne n’est pas connectée, 504 station_timeout si elle ne répond pas à temps, 502 station_error si elle répond par une erreur OCPP. Chaque commande est journalisée avec son résultat.',
        params: IdParams,
        body: Type.Object({ action: literals(COMMANDS), payload: Type.Record(Type.String(), Type.Unknown(), { default: {} }) }, { additionalProperties: false }),
        response: { 200: Type.Ref('ChargingCommand'), ...errorsWith(404, 409, 502, 504) },
      },
    },
    async (request) => {
      const station = await charging.getStation(request.params.id);
      authorize(request, 'create', 'charging_command', station.memberId);
      return central.send(auditActorOf(request), station.id, request.body.action, request.body.payload);
    },
  );

  app.post(
    '/api/charging/power-limits',
    {
      schema: {
        tags: ['charging'],
        summary: 'Limiter la puissance d’une borne ou de toutes les bornes d’une commune (SetChargingProfile, ChargePointMaxProfile)',
        body: Type.Object(
          { stationId: Type.Optional(Type.String({ format: 'uuid' })), communeInsee: Type.Optional(Insee), limitKw: Type.Number({ minimum: 0, maximum: 400 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Array(Type.Object({ stationId: Type.String(), stationName: Type.String(), status: Type.String(), error: Nullable(Type.String()) })),
          ...errorsWith(404),
        },
      },
    },
    async (request) => {
      const { stationId, communeInsee, limitKw } = request.body;
      if (Boolean(stationId) === Boolean(communeInsee)) {
        throw validationFailed([{ field: '/body', message: 'indiquez soit stationId, soit communeInsee' }]);
      }
      const stations = stationId ? [await charging.getStation(stationId)] : (await charging.listStations('all', { page: 1, pageSize: 200, communeInsee, registration: 'accepted' })).items;
      for (const s of stations) authorize(request, 'create', 'charging_command', s.memberId);
      const payload = {
        connectorId: 0,
        csChargingProfiles: {
          chargingProfileId: 780,
          stackLevel: 0,
          chargingProfilePurpose: 'ChargePointMaxProfile',
          chargingProfileKind: 'Absolute',
          chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: Math.round(limitKw * 1000) }] },
        },
      };
      const results = [];
      for (const s of stations) {
        try {
          const command = await central.send(auditActorOf(request), s.id, 'SetChargingProfile', payload);
          results.push({ stationId: s.id, stationName: s.name, status: command.status, error: command.error });
        } catch (error) {
          results.push({ stationId: s.id, stationName: s.name, status: 'failed', error: error instanceof Error ? error.message : String(error) });
        }
      }
      return results;
    },
  );

  // Badges

  app.get(
    '/api/charging/badges',
    {
      schema: {
        tags: ['charging'],
        summary: 'Badges RFID',
        querystring: listQuery(['idTag', 'label', 'status', 'expiresAt'], { status: Type.Optional(literals(BADGE_STATUSES)), ownerMemberId: Type.Optional(Type.String()) }),
        response: { 200: pageOf(Type.Ref('ChargingBadge')), ...commonErrors },
      },
    },
    async (request) => {
      const scope = visibleScope(actorOf(request), 'charging_badge');
      if (scope === 'none') authorize(request, 'read', 'charging_badge', null);
      return charging.listBadges(scope === 'none' ? [] : scope, request.query);
    },
  );

  app.post(
    '/api/charging/badges',
    {
      schema: {
        tags: ['charging'],
        summary: 'Enregistrer un badge',
        body: Type.Object(
          { idTag: IdTag, label: badgeFields.label, status: badgeFields.status, ownerMemberId: badgeFields.ownerMemberId, ownerUserId: Type.Optional(badgeFields.ownerUserId), expiresAt: Type.Optional(badgeFields.expiresAt), parentIdTag: Type.Optional(badgeFields.parentIdTag) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('ChargingBadge'), ...errorsWith(409) },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'charging_badge', request.body.ownerMemberId);
      return reply.status(201).send(await charging.createBadge(auditActorOf(request), request.body));
    },
  );

  app.patch(
    '/api/charging/badges/:idTag',
    {
      schema: {
        tags: ['charging'],
        summary: 'Modifier un badge (statut, échéance, propriétaire)',
        params: Type.Object({ idTag: IdTag }, { additionalProperties: false }),
        body: Type.Object(Object.fromEntries(Object.entries(badgeFields).map(([k, v]) => [k, Type.Optional(v)])), { additionalProperties: false, minProperties: 1 }),
        response: { 200: Type.Ref('ChargingBadge'), ...errorsWith(404) },
      },
    },
    async (request) => {
      const badge = await charging.getBadge(request.params.idTag);
      authorize(request, 'update', 'charging_badge', badge.ownerMemberId);
      return charging.updateBadge(auditActorOf(request), badge.idTag, request.body as never);
    },
  );

  // Sessions

  app.get(
    '/api/charging/sessions',
    {
      schema: {
        tags: ['charging'],
        summary: 'Sessions de recharge (les plus récentes d’abord)',
        querystring: listQuery(['startedAt', 'energy', 'cost', 'station'], SessionFilters),
        response: { 200: pageOf(Type.Ref('ChargingSession')), ...commonErrors },
      },
    },
    async (request) => {
      const scope = visibleScope(actorOf(request), 'charging_session');
      if (scope === 'none') authorize(request, 'read', 'charging_session', null);
      return charging.listSessions(scope === 'none' ? [] : scope, request.query);
    },
  );

  app.get(
    '/api/charging/sessions.csv',
    {
      schema: {
        tags: ['charging'],
        summary: 'Export CSV des sessions filtrées (séparateur point-virgule, UTF-8 avec BOM)',
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), ...SessionFilters }, { additionalProperties: false }),
        produces: ['text/csv'],
        response: { 200: Type.String(), ...commonErrors },
      },
    },
    async (request, reply) => {
      const scope = visibleScope(actorOf(request), 'charging_session');
      if (scope === 'none') authorize(request, 'read', 'charging_session', null);
      const sessions = await charging.allSessions(scope === 'none' ? [] : scope, request.query);
      const csv = stringify([SESSION_CSV_COLUMNS, ...sessions.map(sessionCsvRow)], { delimiter: ';', bom: true });
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="sessions-recharge.csv"').send(csv);
    },
  );

  app.get(
    '/api/charging/sessions/:id',
    {
      schema: {
        tags: ['charging'],
        summary: 'Une session et ses relevés de compteur',
        params: IdParams,
        response: {
          200: Type.Intersect([
            Type.Ref('ChargingSession'),
            Type.Object({ meterValues: Type.Array(Type.Object({ at: Type.String(), measurand: Type.String(), phase: Nullable(Type.String()), unit: Nullable(Type.String()), context: Nullable(Type.String()), value: Type.Number() })) }),
          ]),
          ...errorsWith(404),
        },
      },
    },
    async (request) => {
      const session = await charging.getSession(request.params.id);
      authorize(request, 'read', 'charging_session', session.memberId);
      return { ...session, meterValues: await charging.sessionMeterValues(session.transactionId) };
    },
  );

  app.get(
    '/api/charging/indicators',
    {
      schema: {
        tags: ['charging'],
        summary: 'Indicateurs : disponibilité par point de charge, pannes par borne, énergie et sessions par commune et par mois',
        querystring: Type.Object({ from: Type.Optional(IsoDate), to: Type.Optional(IsoDate) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            availability: Type.Array(
              Type.Object({ stationId: Type.String(), stationName: Type.String(), connectorId: Type.Integer(), idPdcItinerance: Type.String(), usable: Type.Number(), faulted: Type.Number(), unavailable: Type.Number(), offline: Type.Number(), unknown: Type.Number() }),
            ),
            faults: Type.Array(Type.Object({ stationId: Type.String(), stationName: Type.String(), faults: Type.Integer() })),
            monthly: Type.Array(Type.Object({ communeInsee: Nullable(Type.String()), communeName: Nullable(Type.String()), month: Type.String(), sessions: Type.Integer(), energyKwh: Type.Number() })),
          }),
          ...commonErrors,
        },
      },
    },
    async (request) => {
      const scope = visibleScope(actorOf(request), 'charging_session');
      if (scope === 'none') authorize(request, 'read', 'charging_session', null);
      return indicators.compute(scope === 'none' ? [] : scope, request.query);
    },
  );
};

// Open data: public, without authentication (IRVE schema v2.3).

const sendCsv = (columns: readonly string[], rows: OpenDataRow[]) => stringify([[...columns], ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)))]);

export const irveOpenDataRoutes: FastifyPluginAsyncTypebox<{ charging: ChargingService; contact: string }> = async (app, { charging, contact }) => {
  const route = (file: 'statique' | 'dynamique', format: 'csv' | 'json', summary: string) =>
    app.get(
      `/api/opendata/irve/${file}.${format}`,
      {
        config: { public: true },
        schema: {
          tags: ['opendata'],
          summary,
          security: [],
          ...(format === 'csv' && { produces: ['text/csv'] }),
          response: { 200: format === 'csv' ? Type.String() : Type.Array(Type.Record(Type.String(), Type.Unknown())) },
        },
      },
      async (_request, reply) => {
        const stations = await publishedStations(charging);
        const rows = file === 'statique' ? staticRows(stations, contact) : dynamicRows(stations);
        if (format === 'json') return rows;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `inline; filename="irve-${file}.csv"`)
          .send(sendCsv(file === 'statique' ? STATIC_COLUMNS : DYNAMIC_COLUMNS, rows));
      },
    );
  route('statique', 'csv', 'Données IRVE statiques (schéma v2.3), une ligne par point de charge');
  route('statique', 'json', 'Données IRVE statiques (schéma v2.3) en JSON');
  route('dynamique', 'csv', 'État en temps réel des points de charge (schéma IRVE dynamique)');
  route('dynamique', 'json', 'État en temps réel des points de charge en JSON');
};
