import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { forbidden, notFound } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable, Uuid } from '../../platform/http/schemas.js';
import { CAMERA_PURPOSES, DEVICE_KINDS, DEVICE_STATUSES, ZONES } from './security.tables.js';
import type { DevicesService } from './devices.service.js';

const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description && { description }) });

const Kind = literals(DEVICE_KINDS, 'camera, reader (lecteur), door (porte), intrusion_sensor (détecteur)');
const Status = literals(DEVICE_STATUSES);
const Zone = literals(ZONES, 'Zone filmée ; classroom, playground et canteen sont exclues pendant les heures d’ouverture d’une école');

const DeviceSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    name: Type.String(),
    kind: Kind,
    model: Nullable(Type.String()),
    siteId: Type.String(),
    siteName: Type.String(),
    siteKind: Type.String(),
    memberId: Type.String(),
    zone: Nullable(Zone),
    zoneRestricted: Type.Boolean({ description: 'Zone exclue pendant les heures d’ouverture (école)' }),
    purposes: Type.Array(Type.String()),
    streamRef: Nullable(Type.String()),
    frigateCamera: Nullable(Type.String()),
    doorId: Nullable(Type.String()),
    installDate: Nullable(Type.String()),
    maintainer: Nullable(Type.String()),
    status: Status,
    statusAt: Nullable(Type.String()),
  },
  { $id: 'SecurityDevice' },
);

const DeviceFields = {
  code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'Identifiant de l’équipement dans les topics MQTT (ex. DEMO-DOOR-01)' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Kind,
  model: Type.Optional(Nullable(Type.String({ description: 'Caméra : fixed, ptz, thermal ; lecteur : badge, biometric' }))),
  siteId: Uuid,
  zone: Type.Optional(Nullable(Zone)),
  purposes: Type.Optional(Type.Array(literals(CAMERA_PURPOSES), { description: 'Finalités d’une caméra ; une caméra thermique ne sert qu’à la détection d’intrusion', maxItems: 3 })),
  streamRef: Type.Optional(Nullable(Type.String({ maxLength: 500, description: 'Référence du flux dans le système vidéo' }))),
  frigateCamera: Type.Optional(Nullable(Type.String({ pattern: '^[a-zA-Z0-9_-]{1,64}$', description: 'Nom de la caméra dans Frigate' }))),
  doorId: Type.Optional(Nullable(Uuid)),
  installDate: Type.Optional(Nullable(Type.String({ format: 'date' }))),
  maintainer: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
};
const DeviceInput = Type.Object(DeviceFields, { additionalProperties: false });
const DevicePatch = Type.Partial(Type.Object(DeviceFields), { additionalProperties: false, minProperties: 1 });

const CentreSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    siteIds: Type.Array(Type.String()),
    memberIds: Type.Array(Type.String()),
    operators: Type.Array(Type.Object({ userId: Type.String(), email: Type.String() })),
  },
  { $id: 'SecurityCentre' },
);
const CentreInput = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), siteIds: Type.Array(Uuid, { default: [] }), memberIds: Type.Array(Type.String(), { default: [] }) },
  { additionalProperties: false },
);

export const deviceRoutes: FastifyPluginAsyncTypebox<{ devices: DevicesService }> = async (app, { devices }) => {
  app.addSchema(DeviceSchema);
  app.addSchema(CentreSchema);

  app.get(
    '/api/security/devices',
    {
      schema: {
        tags: ['security'],
        summary: 'Équipements de sûreté des sites visibles (un opérateur : ceux de son centre de supervision)',
        querystring: listQuery(['code', 'name', 'site', 'status', 'kind'], { siteId: Type.Optional(Uuid), kind: Type.Optional(Kind), status: Type.Optional(Status) }),
        response: { 200: pageOf(Type.Ref('SecurityDevice')), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'security_device', actorOf(request).memberId);
      return devices.list(await devices.scopeOf(actorOf(request), 'security_device'), request.query);
    },
  );

  app.get(
    '/api/security/devices/:id',
    { schema: { tags: ['security'], summary: 'Un équipement', params: IdParams, response: { 200: Type.Ref('SecurityDevice'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      const device = await devices.get(request.params.id);
      authorize(request, 'read', 'security_device', device.memberId);
      if (!devices.inScope(await devices.scopeOf(actorOf(request), 'security_device'), device)) throw notFound('Équipement');
      return device;
    },
  );

  app.post(
    '/api/security/devices',
    {
      schema: {
        tags: ['security'],
        summary: 'Déclarer un équipement (caméra, lecteur, porte, détecteur) sur un site',
        description: 'Une caméra thermique configurée pour mesurer la température des personnes est refusée (422). Une caméra dans une école doit avoir une zone.',
        body: DeviceInput,
        response: { 201: Type.Ref('SecurityDevice'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'security_device', await devices.memberOfSite(request.body.siteId));
      return reply.status(201).send(await devices.create(auditActorOf(request), request.body));
    },
  );

  app.patch(
    '/api/security/devices/:id',
    {
      schema: {
        tags: ['security'],
        summary: 'Modifier un équipement (date de pose, mainteneur, zone, finalités…)',
        params: IdParams,
        body: DevicePatch,
        response: { 200: Type.Ref('SecurityDevice'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const device = await devices.get(request.params.id);
      authorize(request, 'update', 'security_device', device.memberId);
      if (request.body.siteId && request.body.siteId !== device.siteId) authorize(request, 'update', 'security_device', await devices.memberOfSite(request.body.siteId));
      return devices.update(auditActorOf(request), device.id, request.body);
    },
  );

  app.post(
    '/api/security/devices/:id/token',
    {
      schema: {
        tags: ['security'],
        summary: 'Créer le jeton d’un équipement qui envoie ses événements par HTTP (affiché une seule fois ; remplace le précédent)',
        params: IdParams,
        response: { 201: Type.Object({ token: Type.String() }), 404: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const device = await devices.get(request.params.id);
      authorize(request, 'update', 'security_device', device.memberId);
      if (actorOf(request).role === 'technician') throw forbidden('Seuls les administrateurs et superviseurs créent les jetons des équipements.');
      return reply.status(201).send({ token: await devices.issueToken(auditActorOf(request), device.id) });
    },
  );

  app.get(
    '/api/security/centres',
    { schema: { tags: ['security'], summary: 'Centres de supervision, les sites qu’ils couvrent et leurs opérateurs', response: { 200: Type.Array(Type.Ref('SecurityCentre')), ...commonErrors } } },
    async (request) => {
      authorize(request, 'read', 'security_centre', null);
      return devices.listCentres();
    },
  );

  app.post(
    '/api/security/centres',
    {
      schema: { tags: ['security'], summary: 'Créer un centre de supervision (sites et membres couverts)', body: CentreInput, response: { 201: Type.Ref('SecurityCentre'), 409: Type.Ref('Error'), ...commonErrors } },
    },
    async (request, reply) => {
      authorize(request, 'create', 'security_centre', null);
      return reply.status(201).send(await devices.saveCentre(auditActorOf(request), null, request.body));
    },
  );

  app.put(
    '/api/security/centres/:id',
    {
      schema: { tags: ['security'], summary: 'Modifier un centre de supervision', params: IdParams, body: CentreInput, response: { 200: Type.Ref('SecurityCentre'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors } },
    },
    async (request) => {
      authorize(request, 'update', 'security_centre', null);
      return devices.saveCentre(auditActorOf(request), request.params.id, request.body);
    },
  );

  app.put(
    '/api/security/operators/:userId',
    {
      schema: {
        tags: ['security'],
        summary: 'Rattacher un opérateur au centre qu’il sert (null : aucun)',
        params: Type.Object({ userId: Uuid }, { additionalProperties: false }),
        body: Type.Object({ centreId: Nullable(Uuid) }, { additionalProperties: false }),
        response: { 204: Type.Null(), 404: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'update', 'security_centre', null);
      await devices.assignOperator(auditActorOf(request), request.params.userId, request.body.centreId);
      return reply.status(204).send(null);
    },
  );
};
