import fs from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { create as createTar } from 'tar';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { can, visibleScope, type Actor } from '../../platform/auth/policy.js';
import { AppError, forbidden } from '../../platform/http/errors.js';
import { commonErrors, IdParams, Nullable, Uuid } from '../../platform/http/schemas.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import type { DevicesService } from '../security/index.js';
import { MAX_RETENTION_DAYS, PACKAGE_STATUSES, REQUISITION_STATUSES } from './evidence.tables.js';
import type { EvidenceService } from './evidence.service.js';
import { PUBLIC_KEY_URL } from './package-format.js';
import { REGISTER_ACTIONS } from './register.js';
import type { Requisition } from './requisitions.js';

const enumOf = <T extends string>(values: readonly T[], description?: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description && { description }) });
const DateTime = Type.String({ format: 'date-time' });
const Day = Type.String({ format: 'date' });
const Reason = Type.String({ minLength: 3, maxLength: 500, description: 'Motif, obligatoire : il figure au registre' });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });

const Authorisation = Type.Object(
  {
    siteId: Type.String(),
    siteName: Type.String(),
    memberId: Type.String(),
    reference: Type.String(),
    issuedOn: Type.String(),
    expiresOn: Type.String(),
    retentionDays: Type.Integer(),
    expired: Type.Boolean(),
    updatedAt: Type.String(),
    updatedBy: Type.String(),
  },
  { $id: 'EvidenceAuthorisation' },
);
const AuthorisationInput = Type.Object(
  {
    reference: Text(100),
    issuedOn: Day,
    expiresOn: Day,
    retentionDays: Type.Integer({ minimum: 1, description: `Durée de conservation des images en jours ; la loi la limite à ${MAX_RETENTION_DAYS} (CSI L252-5) : au-delà, refusée` }),
  },
  { additionalProperties: false },
);
const Segment = Type.Object(
  {
    id: Type.String(),
    cameraId: Type.String(),
    cameraCode: Type.String(),
    cameraName: Type.String(),
    siteId: Type.String(),
    siteName: Type.String(),
    memberId: Type.String(),
    from: Type.String(),
    to: Type.String(),
    location: Type.String(),
    sizeBytes: Type.Integer(),
    sha256: Type.String(),
    source: enumOf(['api', 'scan'] as const),
    registeredAt: Type.String(),
    deletedAt: Nullable(Type.String()),
    heldBy: Type.Array(Type.String(), { description: 'Numéros des réquisitions qui gèlent le segment' }),
  },
  { $id: 'EvidenceSegment' },
);
const Coverage = Type.Object({
  cameraId: Type.String(),
  cameraCode: Type.String(),
  cameraName: Type.String(),
  segments: Type.Integer(),
  sizeBytes: Type.Integer(),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  available: Nullable(Type.Object({ from: Type.String(), to: Type.String() })),
});
const Requisition = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    siteId: Type.String(),
    siteName: Type.String(),
    memberId: Type.String(),
    authority: Type.String(),
    officerName: Type.String(),
    officerService: Type.String(),
    officerUserId: Nullable(Type.String()),
    officerEmail: Nullable(Type.String()),
    legalBasis: Type.String(),
    cameraIds: Type.Array(Type.String()),
    from: Type.String(),
    to: Type.String(),
    deadline: Type.String(),
    status: enumOf(REQUISITION_STATUSES),
    createdAt: Type.String(),
    createdBy: Type.String(),
    closedAt: Nullable(Type.String()),
    heldSegments: Type.Integer(),
    coverage: Type.Array(Coverage),
  },
  { $id: 'EvidenceRequisition' },
);
const RequisitionInput = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 60, description: 'Numéro de la réquisition (procès-verbal, parquet)' }),
    siteId: Uuid,
    authority: Text(200),
    officerName: Text(200),
    officerService: Text(200),
    officerEmail: Type.Optional(Nullable(Type.String({ format: 'email', description: 'Compte de l’officier (rôle police_officer) : lui seul, en plus des agents habilités, télécharge les scellés' }))),
    legalBasis: Type.String({ minLength: 1, maxLength: 300, description: 'Fondement (ex. « art. 60-1 du code de procédure pénale »)' }),
    cameraIds: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true }),
    from: DateTime,
    to: DateTime,
    deadline: Day,
  },
  { additionalProperties: false },
);
const Package = Type.Object(
  {
    id: Type.String(),
    requisitionId: Type.String(),
    status: enumOf(PACKAGE_STATUSES),
    name: Type.String(),
    segmentCount: Type.Integer(),
    sizeBytes: Nullable(Type.Integer()),
    manifestSha256: Nullable(Type.String()),
    error: Nullable(Type.String()),
    createdAt: Type.String(),
    createdBy: Type.String(),
    readyAt: Nullable(Type.String()),
    handedTo: Nullable(Type.String()),
    handoverMedia: Nullable(Type.String()),
    handedOverAt: Nullable(Type.String()),
    handedOverBy: Nullable(Type.String()),
  },
  { $id: 'EvidencePackage' },
);
const Verification = Type.Object({ ok: Type.Boolean(), checked: Type.Array(Type.String()), problems: Type.Array(Type.String()) });
const RegisterEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.String(),
  action: enumOf(Object.keys(REGISTER_ACTIONS) as Array<keyof typeof REGISTER_ACTIONS>),
  actionLabel: Type.String(),
  reason: Type.String(),
  cameras: Type.Array(Type.String()),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  siteName: Nullable(Type.String()),
  requisition: Nullable(Type.String()),
  media: Nullable(Type.String()),
  service: Nullable(Type.String()),
  hash: Type.String(),
});
const RegisterFilters = {
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
  action: Type.Optional(enumOf(Object.keys(REGISTER_ACTIONS) as Array<keyof typeof REGISTER_ACTIONS>)),
  cameraId: Type.Optional(Uuid),
  requisition: Type.Optional(Type.String({ maxLength: 60 })),
};

/** Extraction, handover, download and release: the legal officers of the site, and (download only) the requesting officer. */
const mayHandle = (actor: Actor, r: Requisition) => can(actor, 'update', 'evidence_requisition', r.memberId);

export const evidenceRoutes: FastifyPluginAsyncTypebox<{ evidence: EvidenceService; devices: DevicesService }> = async (app, { evidence, devices }) => {
  app.addSchema(Authorisation);
  app.addSchema(Segment);
  app.addSchema(Requisition);
  app.addSchema(Package);
  const tags = ['evidence'];

  app.get(
    PUBLIC_KEY_URL,
    { config: { public: true }, schema: { tags, summary: 'Clé publique Ed25519 qui signe les manifestes des scellés (PEM)', security: [], produces: ['application/x-pem-file'], response: { 200: Type.String() } } },
    async (_request, reply) => reply.type('application/x-pem-file').header('x-key-sha256', evidence.key.fingerprint).send(evidence.key.publicKeyPem),
  );

  // ----- prefectoral authorisations -----
  const SiteParams = Type.Object({ siteId: Uuid }, { additionalProperties: false });
  app.get('/api/evidence/authorisations', { schema: { tags, summary: 'Autorisations préfectorales des sites visibles', response: { 200: Type.Array(Type.Ref('EvidenceAuthorisation')), ...commonErrors } } }, async (request) => {
    const scope = visibleScope(actorOf(request), 'evidence_authorisation');
    if (scope === 'none') authorize(request, 'read', 'evidence_authorisation', null);
    return evidence.authorisations.list(scope === 'none' ? [] : scope);
  });
  app.get(
    '/api/evidence/authorisations/:siteId',
    { schema: { tags, summary: 'L’autorisation préfectorale d’un site', params: SiteParams, response: { 200: Type.Ref('EvidenceAuthorisation'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      const authorisation = await evidence.authorisations.get(request.params.siteId);
      authorize(request, 'read', 'evidence_authorisation', authorisation.memberId);
      return authorisation;
    },
  );
  app.put(
    '/api/evidence/authorisations/:siteId',
    { schema: { tags, summary: 'Enregistrer l’autorisation préfectorale d’un site (durée de conservation ≤ 30 jours)', params: SiteParams, body: AuthorisationInput, response: { 200: Type.Ref('EvidenceAuthorisation'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      authorize(request, 'update', 'evidence_authorisation', await devices.memberOfSite(request.params.siteId));
      return evidence.authorisations.save(auditActorOf(request), request.params.siteId, request.body);
    },
  );

  // ----- recordings index -----
  app.get(
    '/api/evidence/segments',
    {
      schema: {
        tags,
        summary: 'Index des enregistrements (segments) des caméras visibles',
        querystring: listQuery(['from', 'camera', 'size'], {
          cameraId: Type.Optional(Uuid),
          siteId: Type.Optional(Uuid),
          from: Type.Optional(DateTime),
          to: Type.Optional(DateTime),
          held: Type.Optional(Type.Boolean({ description: 'Seulement les segments gelés (true) ou libres (false)' })),
          deleted: Type.Optional(Type.Boolean({ description: 'Les segments supprimés à l’expiration de leur conservation, au lieu des présents' })),
          requisitionId: Type.Optional(Type.String({ format: 'uuid', description: 'Seulement les segments que cette réquisition gèle' })),
        }),
        response: { 200: pageOf(Type.Ref('EvidenceSegment')), ...commonErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      if (visibleScope(actor, 'evidence_recording') === 'none') authorize(request, 'read', 'evidence_recording', null);
      return evidence.recordings.list(await devices.scopeOf(actor, 'evidence_recording'), request.query);
    },
  );
  app.post(
    '/api/evidence/segments',
    {
      schema: {
        tags,
        summary: 'Le système vidéo déclare un segment écrit sous RECORDINGS_DIR (empreinte calculée par la plateforme)',
        body: Type.Object(
          {
            camera: Type.String({ minLength: 1, maxLength: 100, description: 'Code de la caméra ou son nom Frigate' }),
            from: DateTime,
            to: Type.Optional(DateTime),
            location: Type.String({ minLength: 1, maxLength: 500, description: 'Chemin du fichier relatif à RECORDINGS_DIR' }),
            sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('EvidenceSegment'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'evidence_recording', null);
      return reply.status(201).send(await evidence.recordings.register(request.body));
    },
  );
  app.post(
    '/api/evidence/segments/scan',
    {
      schema: {
        tags,
        summary: 'Indexer maintenant les fichiers de RECORDINGS_DIR (le serveur le fait aussi périodiquement)',
        response: { 200: Type.Object({ indexed: Type.Integer(), alreadyIndexed: Type.Integer(), rejected: Type.Array(Type.Object({ path: Type.String(), reason: Type.String() })) }), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'create', 'evidence_recording', null);
      return evidence.recordings.scan(0);
    },
  );
  app.post(
    '/api/evidence/segments/:id/view',
    {
      schema: {
        tags,
        summary: 'Demander à visionner un enregistrement : le motif est inscrit au registre ; la réponse donne un lien valable 5 minutes',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Type.Object({ url: Type.String(), expiresAt: Type.String() }), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const segment = await evidence.recordings.get(request.params.id);
      if (!devices.inScope(await devices.scopeOf(actor, 'evidence_recording'), segment)) throw forbidden('Les enregistrements de ce site ne vous sont pas accessibles.');
      return evidence.recordings.view(auditActorOf(request), segment.id, request.body.reason);
    },
  );
  app.get(
    '/api/evidence/segments/:id/clip',
    {
      schema: {
        tags,
        summary: 'La vidéo d’un segment (MP4, requêtes Range), avec le ticket donné par /view',
        params: IdParams,
        querystring: Type.Object({ ticket: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        produces: ['video/mp4'],
        response: { 200: Type.String(), 206: Type.String(), 404: Type.Ref('Error'), 416: Type.Null(), ...commonErrors },
      },
    },
    async (request, reply) => {
      const file = await evidence.recordings.clipFile(request.params.id, actorOf(request).userId, request.query.ticket);
      if (!file || !fs.existsSync(file)) throw new AppError(403, 'ticket_invalid', 'Lien de visionnage expiré ou invalide : indiquez de nouveau le motif.');
      const { size } = await fs.promises.stat(file);
      const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
      reply.type('video/mp4').header('accept-ranges', 'bytes').header('cache-control', 'no-store');
      if (range && (range[1] || range[2])) {
        const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        if (start >= size || start > end) return reply.status(416).header('content-range', `bytes */${size}`).send();
        return reply.status(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', end - start + 1).send(fs.createReadStream(file, { start, end }));
      }
      return reply.header('content-length', size).send(fs.createReadStream(file));
    },
  );

  // ----- requisitions and holds -----
  app.get(
    '/api/evidence/requisitions',
    {
      schema: {
        tags,
        summary: 'Réquisitions judiciaires visibles (un officier de police ne voit que les siennes)',
        querystring: Type.Object(
          {
            status: Type.Optional(enumOf(REQUISITION_STATUSES)),
            q: Type.Optional(Type.String({ maxLength: 100 })),
            siteId: Type.Optional(Uuid),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'Réquisitions dont la période finit après cet instant' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'Réquisitions dont la période commence avant cet instant' })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Type.Ref('EvidenceRequisition')), ...commonErrors },
      },
    },
    async (request) => evidence.requisitions.list(actorOf(request), request.query),
  );
  app.post(
    '/api/evidence/requisitions',
    {
      schema: {
        tags,
        summary: 'Enregistrer une réquisition : les segments demandés sont gelés aussitôt',
        body: RequisitionInput,
        response: { 201: Type.Ref('EvidenceRequisition'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'evidence_requisition', await devices.memberOfSite(request.body.siteId));
      return reply.status(201).send(await evidence.requisitions.create(auditActorOf(request), request.body));
    },
  );
  app.get(
    '/api/evidence/requisitions/:id',
    { schema: { tags, summary: 'Une réquisition, ses gels et la couverture par caméra', params: IdParams, response: { 200: Type.Ref('EvidenceRequisition'), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => evidence.requisitions.getFor(actorOf(request), request.params.id),
  );
  app.post(
    '/api/evidence/requisitions/:id/release',
    {
      schema: {
        tags,
        summary: 'Clore la réquisition et lever ses gels (fin de la procédure)',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Type.Ref('EvidenceRequisition'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const requisition = await evidence.requisitions.get(request.params.id);
      authorize(request, 'update', 'evidence_requisition', requisition.memberId);
      return evidence.requisitions.release(auditActorOf(request), requisition.id, request.body.reason);
    },
  );

  // ----- evidence packages -----
  app.get(
    '/api/evidence/requisitions/:id/packages',
    { schema: { tags, summary: 'Scellés (paquets de preuve) d’une réquisition', params: IdParams, response: { 200: Type.Array(Type.Ref('EvidencePackage')), 404: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      await evidence.requisitions.getFor(actorOf(request), request.params.id);
      return evidence.packages.list(request.params.id);
    },
  );
  app.post(
    '/api/evidence/requisitions/:id/packages',
    {
      schema: {
        tags,
        summary: 'Extraire les images gelées dans un scellé signé (construit en arrière-plan : suivre son statut)',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 202: Type.Ref('EvidencePackage'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const requisition = await evidence.requisitions.get(request.params.id);
      if (!mayHandle(actorOf(request), requisition)) throw forbidden();
      return reply.status(202).send(await evidence.packages.extract(auditActorOf(request), requisition.id, request.body.reason));
    },
  );
  const packageFor = async (actor: Actor, id: string) => {
    const pkg = await evidence.packages.get(id);
    const requisition = await evidence.requisitions.getFor(actor, pkg.requisitionId);
    return { pkg, requisition };
  };
  app.get('/api/evidence/packages/:id', { schema: { tags, summary: 'Un scellé', params: IdParams, response: { 200: Type.Ref('EvidencePackage'), 404: Type.Ref('Error'), ...commonErrors } } }, async (request) => {
    return (await packageFor(actorOf(request), request.params.id)).pkg;
  });
  app.get(
    '/api/evidence/packages/:id/verification',
    { schema: { tags, summary: 'Vérifier le scellé conservé : signature, empreintes du manifeste et de SHA256SUMS, fichiers ajoutés', params: IdParams, response: { 200: Verification, 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors } } },
    async (request) => {
      await packageFor(actorOf(request), request.params.id);
      const { ok, checked, problems } = await evidence.packages.verify(request.params.id);
      return { ok, checked, problems };
    },
  );
  app.get(
    '/api/evidence/packages/:id/download',
    {
      schema: {
        tags,
        summary: 'Télécharger le scellé (archive tar) ; le téléchargement est inscrit au registre',
        params: IdParams,
        produces: ['application/x-tar'],
        response: { 200: Type.String(), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { requisition } = await packageFor(actor, request.params.id);
      if (!mayHandle(actor, requisition) && requisition.officerUserId !== actor.userId) throw forbidden('Seuls les agents habilités du site et l’officier requérant téléchargent ce scellé.');
      const { pkg, dir } = await evidence.packages.recordDownload(auditActorOf(request), request.params.id);
      const archive = createTar({ cwd: `${dir}/..`, portable: true }, [pkg.name]);
      return reply.type('application/x-tar').header('content-disposition', `attachment; filename="${pkg.name}.tar"`).send(archive);
    },
  );
  app.post(
    '/api/evidence/packages/:id/handover',
    {
      schema: {
        tags,
        summary: 'Enregistrer la remise du scellé (destinataire, support, date)',
        params: IdParams,
        body: Type.Object(
          {
            handedTo: Type.String({ minLength: 1, maxLength: 200, description: 'À qui (nom, service)' }),
            media: Type.String({ minLength: 1, maxLength: 200, description: 'Support remis (ex. « clé USB scellée n° 4521 »)' }),
            handedOverAt: Type.Optional(DateTime),
            reason: Reason,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('EvidencePackage'), 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { requisition } = await packageFor(actor, request.params.id);
      if (!mayHandle(actor, requisition)) throw forbidden();
      return evidence.packages.handover(auditActorOf(request), request.params.id, request.body);
    },
  );

  // ----- retention -----
  app.post(
    '/api/evidence/retention/run',
    {
      schema: {
        tags,
        summary: 'Lancer maintenant la suppression des enregistrements expirés (le serveur le fait aussi périodiquement)',
        response: { 200: Type.Object({ deleted: Type.Integer(), bytes: Type.Integer(), keptByHold: Type.Integer(), cameras: Type.Integer(), errors: Type.Array(Type.Object({ location: Type.String(), error: Type.String() })) }), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'delete', 'evidence_recording', null);
      return evidence.retention.run();
    },
  );

  // ----- the register -----
  const registerScope = (request: Parameters<typeof actorOf>[0]) => {
    const scope = visibleScope(actorOf(request), 'evidence_register');
    if (scope === 'none') authorize(request, 'read', 'evidence_register', null);
    return scope === 'none' ? [] : scope;
  };
  app.get(
    '/api/evidence/register',
    { schema: { tags, summary: 'Registre des visionnages, extractions, remises, gels, levées et suppressions', querystring: listQuery(['at'], { ...RegisterFilters }), response: { 200: pageOf(RegisterEntry), ...commonErrors } } },
    async (request) => evidence.register.list(registerScope(request), request.query),
  );
  app.get(
    '/api/evidence/register.csv',
    { schema: { tags, summary: 'Export CSV du registre (point-virgule, UTF-8 avec BOM)', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), ...RegisterFilters }, { additionalProperties: false }), produces: ['text/csv'], response: { 200: Type.String(), ...commonErrors } } },
    async (request, reply) => {
      const csv = evidence.register.csv(await evidence.register.all(registerScope(request), request.query));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="registre-videoprotection.csv"').send(csv);
    },
  );
  app.get(
    '/api/evidence/register.html',
    { schema: { tags, summary: 'Registre imprimable (HTML), pour la commission départementale ou la CNIL', querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), ...RegisterFilters }, { additionalProperties: false }), produces: ['text/html'], response: { 200: Type.String(), ...commonErrors } } },
    async (request, reply) => {
      const entries = await evidence.register.all(registerScope(request), request.query);
      return reply.type('text/html; charset=utf-8').send(evidence.register.html(entries, 'Registre des accès aux images de vidéoprotection'));
    },
  );
};
