import type { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static, type TSchema } from 'typebox';
import { actorOf, auditActorOf, authorize } from '../../platform/auth/http-auth.js';
import { can, visibleScope } from '../../platform/auth/policy.js';
import { badRequest, forbidden, notFound } from '../../platform/http/errors.js';
import { listQuery, pageOf } from '../../platform/http/pagination.js';
import { commonErrors, IdParams, Nullable, Uuid } from '../../platform/http/schemas.js';
import { LOT_CODES, ORDER_STATUSES, PRICE_FORMS, PRICE_TYPES, PROCEDURES } from './purchasing.tables.js';
import type { PurchasingService } from './purchasing.service.js';
import { purchaseOrderHtml } from './purchase-order.js';

const literals = <T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...(description && { description }) });

const LotCode = literals(LOT_CODES, 'Code du lot');
const OrderStatus = literals(ORDER_STATUSES, 'Statut de la commande');
const IsoDate = Type.String({ format: 'date', description: 'AAAA-MM-JJ' });
const Euros = Type.Number({ description: 'Montant en euros (deux décimales au plus)' });
const MemberId = Type.String({ pattern: '^(smo|dep-\\d{2}|epci-\\d{9}|com-\\d[0-9AB]\\d{3})$', description: 'Identifiant de membre (com-92023, epci-247800584…)' });
const Text = (maxLength: number, description?: string) => Type.String({ minLength: 1, maxLength, ...(description && { description }) });
const Errors404 = { 404: Type.Ref('Error'), ...commonErrors };
const Errors409 = { 404: Type.Ref('Error'), 409: Type.Ref('Error'), ...commonErrors };

const SupplierSchema = Type.Object({ siret: Type.String({ description: 'SIRET (14 chiffres, clé de Luhn)' }), name: Text(200) });
const LotSchema = Type.Object({
  id: Type.String(),
  code: LotCode,
  label: Type.String(),
  supplierSiret: Type.String(),
  supplierName: Type.String(),
  minAmount: Type.Number(),
  maxAmount: Type.Number(),
  committedAmount: Type.Number({ description: 'Montant engagé par les commandes validées' }),
});
const AgreementSchema = Type.Object(
  {
    id: Type.String(),
    reference: Type.String(),
    object: Type.String(),
    cpvCode: Type.String(),
    procedure: Type.String(),
    notificationDate: Type.String(),
    durationMonths: Type.Integer(),
    endDate: Type.String(),
    priceForm: Type.String(),
    priceType: Type.String(),
    execution: Type.Union([Type.Literal('purchase_orders'), Type.Literal('follow_on_contracts')]),
    tierBasis: Type.Union([Type.Literal('cumulative'), Type.Literal('per_order')]),
    offersReceived: Type.Integer(),
    suppliers: Type.Array(SupplierSchema),
    lots: Type.Array(LotSchema),
    amendments: Type.Array(Type.Object({ seq: Type.Integer(), date: Type.String(), amount: Type.Number(), object: Type.String() })),
    createdAt: Type.String(),
  },
  { $id: 'PurchasingAgreement' },
);
const AgreementInput = Type.Object(
  {
    reference: Type.String({ minLength: 1, maxLength: 16, description: 'Identifiant DECP (16 caractères au plus)' }),
    object: Text(1000),
    cpvCode: Type.String({ pattern: '^[0-9]{8}(-[0-9])?$', description: 'Code CPV, ex. 30213200' }),
    procedure: literals(PROCEDURES),
    notificationDate: IsoDate,
    durationMonths: Type.Integer({ minimum: 1, maximum: 120 }),
    priceForm: literals(PRICE_FORMS),
    priceType: literals(PRICE_TYPES),
    execution: Type.Union([Type.Literal('purchase_orders'), Type.Literal('follow_on_contracts')], { description: 'Bons de commande ou marchés subséquents' }),
    tierBasis: Type.Union([Type.Literal('cumulative'), Type.Literal('per_order')], { description: 'Paliers atteints par le volume cumulé de tous les membres, ou par commande' }),
    offersReceived: Type.Optional(Type.Integer({ minimum: 1 })),
    suppliers: Type.Array(SupplierSchema, { minItems: 1 }),
    lots: Type.Array(Type.Object({ code: LotCode, label: Text(200), supplierSiret: Type.String(), minAmount: Euros, maxAmount: Euros }, { additionalProperties: false }), { minItems: 1 }),
  },
  { additionalProperties: false },
);
const ConventionSchema = Type.Object(
  {
    id: Type.String(),
    reference: Type.String(),
    memberId: Type.String(),
    memberName: Type.String(),
    signedOn: Type.String(),
    lots: Type.Array(LotCode),
    contactName: Type.String(),
    contactEmail: Type.String(),
  },
  { $id: 'PurchasingConvention' },
);
const TierSchema = Type.Object({ minQuantity: Type.Integer({ minimum: 2 }), unitPriceExclVat: Euros }, { additionalProperties: false });
const ItemSchema = Type.Object(
  {
    id: Type.String(),
    lotId: Type.String(),
    lotCode: LotCode,
    agreementId: Type.String(),
    agreementReference: Type.String(),
    reference: Type.String(),
    label: Type.String(),
    category: Type.String(),
    unit: Type.String(),
    unitPriceExclVat: Type.Number(),
    vatRate: Type.Number({ description: 'Taux de TVA en %' }),
    listPrice: Type.Number({ description: 'Prix public HT' }),
    withdrawn: Type.Boolean(),
    tiers: Type.Array(TierSchema),
  },
  { $id: 'PurchasingItem' },
);
const ItemInput = Type.Object(
  {
    reference: Text(40),
    label: Text(300),
    category: Text(60),
    unit: Text(30),
    unitPriceExclVat: Euros,
    vatRate: Type.Number({ minimum: 0, maximum: 100 }),
    listPrice: Euros,
    withdrawn: Type.Optional(Type.Boolean()),
    tiers: Type.Optional(Type.Array(TierSchema, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
const OrderSummarySchema = Type.Object(
  {
    id: Type.String(),
    number: Nullable(Type.String()),
    title: Type.String(),
    memberId: Type.String(),
    memberName: Type.String(),
    lotId: Type.String(),
    lotCode: LotCode,
    agreementReference: Type.String(),
    status: OrderStatus,
    totalExclVat: Type.Number(),
    createdBy: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'PurchasingOrderSummary' },
);
const OrderSchema = Type.Intersect(
  [
    OrderSummarySchema,
    Type.Object({
      agreementId: Type.String(),
      supplier: Type.Object({ name: Type.String(), siret: Type.String() }),
      budgetId: Nullable(Type.String()),
      budgetLabel: Nullable(Type.String()),
      deliverySiteId: Nullable(Type.String()),
      deliverySiteName: Nullable(Type.String()),
      deliverySiteAddress: Nullable(Type.String()),
      totalVat: Type.Number(),
      totalInclVat: Type.Number(),
      committedAmount: Type.Number(),
      overrideReason: Nullable(Type.String()),
      validatedAt: Nullable(Type.String()),
      invoice: Nullable(Type.Object({ number: Type.String(), amount: Type.Number(), chorusInvoiceId: Type.String(), chorusEngagement: Nullable(Type.String()) })),
      lines: Type.Array(
        Type.Object({
          id: Type.String(),
          itemId: Type.String(),
          itemReference: Type.String(),
          itemLabel: Type.String(),
          category: Type.String(),
          unit: Type.String(),
          quantity: Type.Integer(),
          deliveredQuantity: Type.Integer(),
          unitPriceExclVat: Type.Number(),
          listPrice: Type.Number(),
          vatRate: Type.Number(),
          totalExclVat: Type.Number(),
        }),
      ),
      deliveries: Type.Array(
        Type.Object({
          id: Type.String(),
          deliveredAt: Type.String(),
          recordedBy: Type.String(),
          note: Type.String(),
          lines: Type.Array(Type.Object({ orderLineId: Type.String(), quantity: Type.Integer(), serialNumbers: Type.Array(Type.String()) })),
        }),
      ),
      timeline: Type.Array(Type.Object({ verb: Type.String(), at: Type.String(), actor: Type.String(), details: Type.Unknown() })),
    }),
  ],
  { $id: 'PurchasingOrder' },
);
const OrderLinesInput = Type.Array(Type.Object({ itemId: Uuid, quantity: Type.Integer({ minimum: 1, maximum: 100000, description: 'Quantité commandée (entier ≥ 1)' }) }, { additionalProperties: false }), {
  minItems: 1,
  maxItems: 200,
});
const BudgetSchema = Type.Object(
  {
    id: Type.String(),
    memberId: Type.String(),
    memberName: Type.String(),
    year: Type.Integer(),
    programme: Type.String(),
    amount: Type.Number(),
    committed: Type.Number(),
    consumed: Type.Number(),
    available: Type.Number(),
    usage: Type.Number({ description: '(engagé + consommé) / montant' }),
    level: Type.Union([Type.Literal('ok'), Type.Literal('warning'), Type.Literal('exceeded')], { description: 'warning à partir de 80 %, exceeded à partir de 100 %' }),
  },
  { $id: 'PurchasingBudget' },
);
const SavingsSchema = Type.Object({
  memberId: Type.String(),
  memberName: Type.String(),
  lotCode: LotCode,
  year: Type.Integer(),
  quantity: Type.Integer(),
  listAmount: Type.Number({ description: 'Au prix public HT' }),
  paidAmount: Type.Number({ description: 'Payé HT (palier atteint par le volume mutualisé)' }),
  soloAmount: Type.Number({ description: 'Ce que le membre aurait payé au palier de son seul volume' }),
  savings: Type.Number({ description: 'Prix public − payé' }),
  poolingGain: Type.Number({ description: 'Apport de la mutualisation : seul − payé' }),
});

export const purchasingRoutes: FastifyPluginAsyncTypebox<{ purchasing: PurchasingService; buyer: { name: string; siret: string } }> = async (app, { purchasing, buyer }) => {
  const { catalogue, orders } = purchasing;
  for (const schema of [AgreementSchema, ConventionSchema, ItemSchema, OrderSummarySchema, OrderSchema, BudgetSchema]) app.addSchema(schema);
  // The catalogue import takes the raw CSV file; this parser is scoped to the purchasing routes.
  app.addContentTypeParser('text/csv', async (_request: unknown, payload: Readable) => text(payload));

  /** The order, if the actor may read it; another member's order does not exist for them. */
  const readableOrder = async (request: Parameters<typeof actorOf>[0], id: string) => {
    const order = await orders.getOrder(id);
    if (!can(actorOf(request), 'read', 'purchasing_order', order.memberId)) throw notFound('Commande');
    return order;
  };
  const tags = ['purchasing'];
  const scopeOf = (request: Parameters<typeof actorOf>[0], resource: 'purchasing_convention' | 'purchasing_order' | 'purchasing_budget') => {
    const scope = visibleScope(actorOf(request), resource);
    if (scope === 'none') throw forbidden();
    return scope;
  };

  // ---- Agreements

  app.get(
    '/api/purchasing/agreements',
    {
      schema: {
        tags,
        summary: 'Accords-cadres de la centrale d’achat',
        querystring: listQuery(['reference', 'notificationDate', 'endDate'], { lotCode: Type.Optional(LotCode), active: Type.Optional(Type.Boolean({ description: 'En cours (true) ou échus (false)' })) }),
        response: { 200: pageOf(Type.Ref('PurchasingAgreement')), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'purchasing_agreement', null);
      return catalogue.listAgreements(request.query);
    },
  );

  app.get(
    '/api/purchasing/agreements/:id',
    { schema: { tags, summary: 'Un accord-cadre, ses lots, titulaires et modifications', params: IdParams, response: { 200: Type.Ref('PurchasingAgreement'), ...Errors404 } } },
    async (request) => {
      authorize(request, 'read', 'purchasing_agreement', null);
      return catalogue.getAgreement(request.params.id);
    },
  );

  app.post(
    '/api/purchasing/agreements',
    { schema: { tags, summary: 'Enregistrer un accord-cadre attribué', body: AgreementInput, response: { 201: Type.Ref('PurchasingAgreement'), 409: Type.Ref('Error'), ...commonErrors } } },
    async (request, reply) => {
      authorize(request, 'create', 'purchasing_agreement', null);
      return reply.status(201).send(await catalogue.createAgreement(auditActorOf(request), request.body));
    },
  );

  app.post(
    '/api/purchasing/agreements/:id/amendments',
    {
      schema: {
        tags,
        summary: 'Ajouter une modification (avenant) : date, montant (écart, positif ou négatif), objet',
        params: IdParams,
        body: Type.Object({ date: IsoDate, amount: Euros, object: Text(500) }, { additionalProperties: false }),
        response: { 201: Type.Ref('PurchasingAgreement'), ...Errors404 },
      },
    },
    async (request, reply) => {
      authorize(request, 'update', 'purchasing_agreement', null);
      return reply.status(201).send(await catalogue.addAmendment(auditActorOf(request), request.params.id, request.body));
    },
  );

  // ---- Conventions

  app.get(
    '/api/purchasing/conventions',
    {
      schema: {
        tags,
        summary: 'Conventions d’adhésion à la centrale d’achat (celles des membres visibles)',
        querystring: Type.Object({ memberId: Type.Optional(MemberId) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Ref('PurchasingConvention')), ...commonErrors },
      },
    },
    async (request) => catalogue.listConventions(scopeOf(request, 'purchasing_convention'), request.query),
  );

  app.post(
    '/api/purchasing/conventions',
    {
      schema: {
        tags,
        summary: 'Enregistrer la convention d’adhésion d’un membre (lots qu’il peut utiliser)',
        body: Type.Object(
          { reference: Text(40), memberId: MemberId, signedOn: IsoDate, lots: Type.Array(LotCode, { minItems: 1 }), contactName: Text(200), contactEmail: Type.String({ format: 'email', maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('PurchasingConvention'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'purchasing_convention', request.body.memberId);
      return reply.status(201).send(await catalogue.createConvention(auditActorOf(request), request.body));
    },
  );

  app.patch(
    '/api/purchasing/conventions/:id',
    {
      schema: {
        tags,
        summary: 'Changer les lots couverts par une convention',
        params: IdParams,
        body: Type.Object({ lots: Type.Array(LotCode, { minItems: 1 }) }, { additionalProperties: false }),
        response: { 200: Type.Ref('PurchasingConvention'), ...Errors404 },
      },
    },
    async (request) => {
      const convention = await catalogue.getConvention(request.params.id);
      authorize(request, 'update', 'purchasing_convention', convention.memberId);
      return catalogue.updateConventionLots(auditActorOf(request), request.params.id, request.body.lots);
    },
  );

  // ---- Catalogue

  app.get(
    '/api/purchasing/items',
    {
      schema: {
        tags,
        summary: 'Catalogue : recherche d’articles (référence, libellé) et filtres',
        querystring: listQuery(['label', 'reference', 'unitPriceExclVat', 'category'], {
          lotCode: Type.Optional(LotCode),
          lotId: Type.Optional(Uuid),
          category: Type.Optional(Type.String({ maxLength: 60 })),
          maxPrice: Type.Optional(Type.Number({ minimum: 0, description: 'Prix unitaire HT maximum' })),
          includeWithdrawn: Type.Optional(Type.Boolean({ description: 'Inclure les articles retirés (administration)' })),
        }),
        response: { 200: pageOf(Type.Ref('PurchasingItem')), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request, 'read', 'purchasing_catalogue', null);
      return catalogue.listItems(request.query);
    },
  );

  app.get(
    '/api/purchasing/items/:id',
    { schema: { tags, summary: 'Un article du catalogue et ses paliers', params: IdParams, response: { 200: Type.Ref('PurchasingItem'), ...Errors404 } } },
    async (request) => {
      authorize(request, 'read', 'purchasing_catalogue', null);
      return catalogue.getItem(request.params.id);
    },
  );

  app.put(
    '/api/purchasing/lots/:id/items',
    {
      schema: {
        tags,
        summary: 'Créer ou remplacer un article d’un lot (par sa référence), avec ses paliers',
        params: IdParams,
        body: ItemInput,
        response: { 200: Type.Ref('PurchasingItem'), 201: Type.Ref('PurchasingItem'), ...Errors404 },
      },
    },
    async (request, reply) => {
      authorize(request, 'update', 'purchasing_catalogue', null);
      const { item, created } = await catalogue.putItem(auditActorOf(request), request.params.id, request.body);
      return reply.status(created ? 201 : 200).send(item);
    },
  );

  app.patch(
    '/api/purchasing/items/:id',
    {
      schema: {
        tags,
        summary: 'Retirer un article du catalogue (ou l’y remettre)',
        params: IdParams,
        body: Type.Object({ withdrawn: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Ref('PurchasingItem'), ...Errors404 },
      },
    },
    async (request) => {
      authorize(request, 'update', 'purchasing_catalogue', null);
      return catalogue.setWithdrawn(auditActorOf(request), request.params.id, request.body.withdrawn);
    },
  );

  app.post(
    '/api/purchasing/lots/:id/items/import',
    {
      schema: {
        tags,
        summary: 'Importer le catalogue d’un lot (corps brut text/csv)',
        description:
          'Colonnes : reference;libelle;categorie;unite;prix_unitaire_ht;taux_tva;prix_public_ht;retire;paliers (les deux dernières facultatives ; paliers « 10:329,00|50:309,00 »). Une ligne invalide est rejetée avec son numéro et sa raison, les autres sont écrites ensemble ; un en-tête faux refuse le fichier entier.',
        params: IdParams,
        response: {
          200: Type.Object({
            lines: Type.Integer(),
            created: Type.Integer(),
            updated: Type.Integer(),
            rejects: Type.Array(Type.Object({ line: Type.Integer(), reference: Nullable(Type.String()), reason: Type.String() })),
          }),
          ...Errors404,
        },
      },
    },
    async (request) => {
      authorize(request, 'update', 'purchasing_catalogue', null);
      if (typeof request.body !== 'string') throw badRequest('Envoyez le fichier CSV brut dans le corps de la requête (Content-Type: text/csv).');
      return catalogue.importCatalogue(auditActorOf(request), request.params.id, request.body);
    },
  );

  // ---- Orders

  app.get(
    '/api/purchasing/orders',
    {
      schema: {
        tags,
        summary: 'Commandes (celles des membres visibles) : recherche par numéro, objet ou membre',
        querystring: listQuery(['createdAt', 'updatedAt', 'totalExclVat', 'number'], {
          status: Type.Optional(OrderStatus),
          memberId: Type.Optional(MemberId),
          lotCode: Type.Optional(LotCode),
          agreementId: Type.Optional(Uuid),
        }),
        response: { 200: pageOf(Type.Ref('PurchasingOrderSummary')), ...commonErrors },
      },
    },
    async (request) => orders.listOrders(scopeOf(request, 'purchasing_order'), request.query),
  );

  app.get(
    '/api/purchasing/orders/:id',
    { schema: { tags, summary: 'Une commande, ses lignes, livraisons et son historique', params: IdParams, response: { 200: Type.Ref('PurchasingOrder'), ...Errors404 } } },
    async (request) => readableOrder(request, request.params.id),
  );

  app.get(
    '/api/purchasing/orders/:id/purchase-order',
    { schema: { tags, summary: 'Bon de commande imprimable (HTML)', params: IdParams, response: { 200: Type.String(), ...Errors404 } } },
    async (request, reply) => {
      const order = await readableOrder(request, request.params.id);
      reply.header('content-type', 'text/html; charset=utf-8');
      return purchaseOrderHtml(order, buyer);
    },
  );

  app.post(
    '/api/purchasing/orders',
    {
      schema: {
        tags,
        summary: 'Créer une commande en brouillon (le panier) pour son membre',
        body: Type.Object(
          {
            memberId: Type.Optional(MemberId),
            lotId: Uuid,
            title: Type.Optional(Type.String({ maxLength: 200 })),
            budgetId: Type.Optional(Nullable(Uuid)),
            deliverySiteId: Type.Optional(Nullable(Uuid)),
            lines: OrderLinesInput,
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Ref('PurchasingOrder'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const memberId = request.body.memberId ?? actorOf(request).memberId;
      if (!can(actorOf(request), 'create', 'purchasing_order', memberId)) throw forbidden(`Vous ne pouvez pas commander pour le membre ${memberId} : seulement pour le vôtre (ou ceux de votre périmètre, pour un administrateur).`);
      return reply.status(201).send(await orders.createOrder(auditActorOf(request), { ...request.body, memberId }));
    },
  );

  app.patch(
    '/api/purchasing/orders/:id',
    {
      schema: {
        tags,
        summary: 'Modifier un brouillon (lignes, objet, enveloppe, site de livraison)',
        params: IdParams,
        body: Type.Object(
          { title: Type.Optional(Type.String({ maxLength: 200 })), budgetId: Type.Optional(Nullable(Uuid)), deliverySiteId: Type.Optional(Nullable(Uuid)), lines: Type.Optional(OrderLinesInput) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('PurchasingOrder'), ...Errors409 },
      },
    },
    async (request) => {
      const order = await readableOrder(request, request.params.id);
      authorize(request, 'update', 'purchasing_order', order.memberId);
      return orders.updateDraft(auditActorOf(request), order.id, request.body);
    },
  );

  const NoBody = Type.Object({}, { additionalProperties: false });
  /** A workflow step: POST /api/purchasing/orders/:id/<path> on an order the actor may read, answering the order. */
  const step = <B extends TSchema>(path: string, summary: string, body: B, run: (request: FastifyRequest<{ Params: { id: string }; Body: Static<B> }>, memberId: string) => Promise<unknown>) =>
    app.post(`/api/purchasing/orders/:id/${path}`, { schema: { tags, summary, params: IdParams, body, response: { 200: Type.Ref('PurchasingOrder'), ...Errors409 } } }, async (request) => {
      const order = await readableOrder(request, request.params.id);
      return run(request as FastifyRequest<{ Params: { id: string }; Body: Static<B> }>, order.memberId);
    });

  step('submit', 'Soumettre la commande (approbateur du membre)', NoBody, (request, memberId) => {
    authorize(request, 'create', 'purchasing_approval', memberId);
    return orders.submit(auditActorOf(request), request.params.id);
  });

  app.post(
    '/api/purchasing/orders/:id/validate',
    {
      schema: {
        tags,
        summary: 'Valider la commande (syndicat) : prix au palier atteint, engagement sur l’enveloppe et le maximum du lot',
        description: 'Refusée (409) si l’enveloppe ou le maximum du lot serait dépassé, sauf dérogation motivée de l’administrateur du syndicat (override.reason).',
        params: IdParams,
        body: Type.Object({ override: Type.Optional(Type.Object({ reason: Text(500) }, { additionalProperties: false })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ order: Type.Ref('PurchasingOrder'), warnings: Type.Array(Type.String()) }), ...Errors409 },
      },
    },
    async (request) => {
      const order = await readableOrder(request, request.params.id);
      authorize(request, 'create', 'purchasing_validation', order.memberId);
      if (request.body.override) authorize(request, 'create', 'purchasing_override', order.memberId);
      return orders.validate(auditActorOf(request), order.id, request.body.override ?? null);
    },
  );

  step('send', 'Envoyer la commande au titulaire (numéro de bon de commande)', NoBody, (request, memberId) => {
    authorize(request, 'create', 'purchasing_validation', memberId);
    return orders.send(auditActorOf(request), request.params.id);
  });

  step(
    'deliveries',
    'Constater une livraison (service fait), ligne par ligne, éventuellement partielle',
    Type.Object(
      {
        deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
        note: Type.Optional(Type.String({ maxLength: 500 })),
        lines: Type.Array(
          Type.Object(
            { orderLineId: Uuid, quantity: Type.Integer({ minimum: 1 }), serialNumbers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10000 })) },
            { additionalProperties: false },
          ),
          { minItems: 1 },
        ),
      },
      { additionalProperties: false },
    ),
    (request, memberId) => {
      authorize(request, 'update', 'purchasing_order', memberId);
      return orders.deliver(auditActorOf(request), request.params.id, request.body);
    },
  );

  step(
    'invoice',
    'Enregistrer la facture (numéro, montant TTC, références Chorus Pro)',
    Type.Object({ invoiceNumber: Text(60), amount: Euros, chorusInvoiceId: Text(60, 'Identifiant de la facture dans Chorus Pro'), chorusEngagement: Type.Optional(Type.String({ maxLength: 60 })) }, { additionalProperties: false }),
    (request, memberId) => {
      authorize(request, 'create', 'purchasing_validation', memberId);
      return orders.invoice(auditActorOf(request), request.params.id, request.body);
    },
  );

  step('close', 'Clôturer la commande facturée', NoBody, (request, memberId) => {
    authorize(request, 'create', 'purchasing_validation', memberId);
    return orders.close(auditActorOf(request), request.params.id);
  });

  step(
    'cancel',
    'Annuler la commande (jusqu’à son envoi au titulaire)',
    Type.Object({ reason: Text(500) }, { additionalProperties: false }),
    (request, memberId) => {
      authorize(request, 'delete', 'purchasing_order', memberId);
      return orders.cancel(auditActorOf(request), request.params.id, request.body.reason);
    },
  );

  // ---- Budgets and savings

  app.get(
    '/api/purchasing/budgets',
    {
      schema: {
        tags,
        summary: 'Enveloppes budgétaires (membre, année, programme) : engagé, consommé, alertes à 80 % et 100 %',
        querystring: Type.Object({ memberId: Type.Optional(MemberId), year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })) }, { additionalProperties: false }),
        response: { 200: Type.Array(Type.Ref('PurchasingBudget')), ...commonErrors },
      },
    },
    async (request) => orders.listBudgets(scopeOf(request, 'purchasing_budget'), request.query),
  );

  app.post(
    '/api/purchasing/budgets',
    {
      schema: {
        tags,
        summary: 'Ouvrir une enveloppe budgétaire',
        body: Type.Object({ memberId: MemberId, year: Type.Integer({ minimum: 2000, maximum: 2100 }), programme: Text(100), amount: Euros }, { additionalProperties: false }),
        response: { 201: Type.Ref('PurchasingBudget'), 409: Type.Ref('Error'), ...commonErrors },
      },
    },
    async (request, reply) => {
      authorize(request, 'create', 'purchasing_budget', request.body.memberId);
      return reply.status(201).send(await orders.createBudget(auditActorOf(request), request.body));
    },
  );

  app.patch(
    '/api/purchasing/budgets/:id',
    {
      schema: { tags, summary: 'Changer le montant d’une enveloppe', params: IdParams, body: Type.Object({ amount: Euros }, { additionalProperties: false }), response: { 200: Type.Ref('PurchasingBudget'), ...Errors409 } },
    },
    async (request) => {
      const budget = await orders.getBudget(request.params.id);
      authorize(request, 'update', 'purchasing_budget', budget.memberId);
      return orders.updateBudgetAmount(auditActorOf(request), budget.id, request.body.amount);
    },
  );

  app.get(
    '/api/purchasing/savings',
    {
      schema: {
        tags,
        summary: 'Économies par membre, lot et année : payé contre prix public, et apport de la mutualisation',
        querystring: Type.Object({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })), memberId: Type.Optional(MemberId), lotCode: Type.Optional(LotCode) }, { additionalProperties: false }),
        response: { 200: Type.Array(SavingsSchema), ...commonErrors },
      },
    },
    async (request) => orders.savings(scopeOf(request, 'purchasing_order'), request.query),
  );

  // ---- Open data

  app.get(
    '/api/opendata/decp.json',
    {
      config: { public: true },
      schema: {
        tags: ['opendata'],
        summary: 'Données essentielles des marchés publics (DECP 2.0.3) des accords-cadres attribués par la centrale d’achat',
        security: [],
        response: { 200: Type.Object({ marches: Type.Object({ marche: Type.Array(Type.Record(Type.String(), Type.Unknown())) }) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return purchasing.decp();
    },
  );
};
