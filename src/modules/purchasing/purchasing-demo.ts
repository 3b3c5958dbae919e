import type { Db } from '../../platform/db/database.js';
import type { AuditActor } from '../../platform/audit/audit.service.js';
import { CATALOGUE_COLUMNS, type AgreementInput } from './catalogue.service.js';
import type { PurchasingService } from './purchasing.service.js';
import type { LotCode } from './purchasing.tables.js';

const SMO_BUYER: AuditActor = { id: null, label: 'acheteur@mutualis.demo' };

type DemoItem = [reference: string, label: string, category: string, unit: string, price: number, list: number, tiers?: [number, number][], vat?: number];

const SUPPLIERS = {
  numerique: { siret: '44499832100012', name: 'Éducatec Solutions SAS' },
  mobilier: { siret: '38077123400016', name: 'Mobiscol Industries' },
  securite: { siret: '51234567800019', name: 'Vigie Urbaine SA' },
  telecoms: { siret: '48212345600014', name: 'Réseaux Publics Télécom' },
  irve: { siret: '79845612300016', name: 'Borne & Charge SAS' },
};

const AGREEMENTS: { input: AgreementInput; items: Partial<Record<LotCode, DemoItem[]>> }[] = [
  {
    input: {
      reference: 'AC-2025-EDU',
      object: 'Équipements numériques et mobilier pour les écoles des membres',
      cpvCode: '30213200',
      procedure: "Appel d'offres ouvert",
      notificationDate: '2025-09-01',
      durationMonths: 48,
      priceForm: 'Unitaire',
      priceType: 'Définitif révisable',
      execution: 'purchase_orders',
      tierBasis: 'cumulative',
      offersReceived: 6,
      suppliers: [SUPPLIERS.numerique, SUPPLIERS.mobilier],
      lots: [
        { code: 'e-education', label: 'Lot 1 — Équipements numériques éducatifs', supplierSiret: SUPPLIERS.numerique.siret, minAmount: 100000, maxAmount: 2500000 },
        { code: 'school-furniture', label: 'Lot 2 — Mobilier scolaire', supplierSiret: SUPPLIERS.mobilier.siret, minAmount: 50000, maxAmount: 900000 },
      ],
    },
    items: {
      'e-education': [
        ['TAB-10-64', 'Tablette 10 pouces 64 Go avec coque renforcée', 'tablet', 'unité', 329, 419, [[50, 309], [200, 289], [500, 269]]],
        ['PC-PORT-14', 'Ordinateur portable 14 pouces enseignant', 'pc', 'unité', 689, 849, [[30, 659], [150, 629]]],
        ['VPI-UHD-3', 'Vidéoprojecteur interactif ultra-courte focale', 'interactive_projector', 'unité', 1890, 2390, [[10, 1790], [40, 1690]]],
        ['MIC-HF-CL', 'Micro HF de classe avec récepteur', 'microphone', 'unité', 149, 199, [[20, 139]]],
        ['ROB-EDU-1', 'Robot pédagogique programmable (pack de 6)', 'robot', 'pack', 540, 660, [[10, 510]]],
        ['KIT-WEBTV', 'Kit web TV scolaire (caméra, micro, logiciel)', 'web_tv_kit', 'kit', 1290, 1590],
        ['KIT-WEBRADIO', 'Kit web radio scolaire', 'web_radio_kit', 'kit', 890, 1090],
        ['CHAR-32', 'Chariot de classe mobile 32 tablettes', 'mobile_class_trolley', 'unité', 1150, 1450, [[10, 1090]]],
        ['WIFI-AP6', 'Borne Wi-Fi 6 de classe', 'wifi_access_point', 'unité', 245, 320, [[50, 229]]],
        ['TAB-OLD-32', 'Tablette 32 Go (ancienne gamme)', 'tablet', 'unité', 249, 299],
      ],
      'school-furniture': [
        ['TAB-ELEVE-R', 'Table élève réglable en hauteur', 'furniture', 'unité', 119, 165, [[100, 109], [400, 99]]],
        ['CHAISE-T6', 'Chaise élève taille 6', 'furniture', 'unité', 42.5, 59, [[200, 38.9]]],
        ['BUREAU-ENS', 'Bureau enseignant avec caisson', 'furniture', 'unité', 389, 489],
        ['ARMOIRE-2P', 'Armoire haute 2 portes', 'furniture', 'unité', 329, 419],
      ],
    },
  },
  {
    input: {
      reference: 'AC-2025-SURV',
      object: 'Vidéoprotection urbaine et télécommunications des bâtiments publics',
      cpvCode: '32323500',
      procedure: "Appel d'offres ouvert",
      notificationDate: '2025-03-15',
      durationMonths: 48,
      priceForm: 'Unitaire',
      priceType: 'Définitif révisable',
      execution: 'purchase_orders',
      tierBasis: 'cumulative',
      offersReceived: 4,
      suppliers: [SUPPLIERS.securite, SUPPLIERS.telecoms],
      lots: [
        { code: 'video-protection', label: 'Lot 1 — Caméras, enregistreurs et contrôle d’accès', supplierSiret: SUPPLIERS.securite.siret, minAmount: 100000, maxAmount: 3000000 },
        { code: 'telecoms', label: 'Lot 2 — Téléphonie et liens réseau', supplierSiret: SUPPLIERS.telecoms.siret, minAmount: 20000, maxAmount: 800000 },
      ],
    },
    items: {
      'video-protection': [
        ['CAM-DOME-4K', 'Caméra dôme 4K extérieure IP67', 'camera', 'unité', 690, 890, [[20, 649], [100, 609]]],
        ['CAM-PTZ-30X', 'Caméra PTZ zoom 30x', 'camera', 'unité', 2450, 3100, [[10, 2290]]],
        ['NVR-32', 'Enregistreur vidéo 32 voies 24 To', 'recorder', 'unité', 3890, 4790],
        ['BADGE-RFID', 'Lecteur de badges RFID antivandale', 'access_control', 'unité', 289, 369, [[50, 265]]],
        ['POSE-CAM', 'Pose et raccordement d’une caméra', 'installation', 'forfait', 420, 520],
      ],
      telecoms: [
        ['TEL-IP-STD', 'Poste téléphonique IP standard', 'phone', 'unité', 89, 129, [[100, 79]]],
        ['LIEN-FIB-1G', 'Lien fibre 1 Gbit/s — mise en service', 'link', 'forfait', 1200, 1500],
        ['SW-24-POE', 'Commutateur 24 ports PoE+', 'switch', 'unité', 640, 820, [[20, 599]]],
      ],
    },
  },
  {
    input: {
      reference: 'AC-2026-IRVE',
      object: 'Fourniture et pose de bornes de recharge pour véhicules électriques',
      cpvCode: '31158100',
      procedure: 'Procédure avec négociation',
      notificationDate: '2026-01-12',
      durationMonths: 36,
      priceForm: 'Mixte',
      priceType: 'Définitif actualisable',
      execution: 'follow_on_contracts',
      tierBasis: 'per_order',
      offersReceived: 3,
      suppliers: [SUPPLIERS.irve],
      lots: [{ code: 'charging-stations', label: 'Lot unique — Bornes de recharge', supplierSiret: SUPPLIERS.irve.siret, minAmount: 50000, maxAmount: 1200000 }],
    },
    items: {
      'charging-stations': [
        ['IRVE-AC-22', 'Borne AC 2 × 22 kW sur pied', 'ac_charger', 'unité', 5900, 7200, [[5, 5590], [10, 5290]]],
        ['IRVE-DC-50', 'Borne rapide DC 50 kW', 'dc_charger', 'unité', 24900, 29500, [[3, 23900]]],
        ['IRVE-POSE', 'Génie civil et raccordement d’une borne', 'installation', 'forfait', 3200, 3900],
        ['IRVE-SUPERV', 'Supervision OCPP — abonnement annuel par point', 'service', 'point/an', 180, 240, undefined, 2000],
      ],
    },
  },
];

const CONVENTIONS: { reference: string; memberId: string; signedOn: string; lots: LotCode[]; contactName: string; contactEmail: string }[] = [
  { reference: 'CONV-CA-2025-001', memberId: 'com-92023', signedOn: '2025-10-06', lots: ['e-education', 'school-furniture', 'video-protection', 'charging-stations'], contactName: 'Sophie Martin', contactEmail: 'admin.clamart@mutualis.demo' },
  { reference: 'CONV-CA-2025-002', memberId: 'com-78646', signedOn: '2025-11-14', lots: ['e-education', 'school-furniture', 'video-protection', 'telecoms'], contactName: 'Julien Petit', contactEmail: 'agent.versailles@mutualis.demo' },
  { reference: 'CONV-CA-2026-003', memberId: 'epci-247800584', signedOn: '2026-02-02', lots: ['telecoms', 'charging-stations', 'video-protection'], contactName: 'Nadia Benali', contactEmail: 'admin.vgp@mutualis.demo' },
  { reference: 'CONV-CA-2026-004', memberId: 'com-78517', signedOn: '2026-03-20', lots: ['e-education', 'charging-stations'], contactName: 'Service achats de Rambouillet', contactEmail: 'achats@rambouillet.example' },
];

const BUDGETS = [
  { memberId: 'com-92023', programme: 'Plan numérique des écoles', amount: 180000 },
  // Nearly spent: the console shows its 80 % warning.
  { memberId: 'com-92023', programme: 'Sécurité des bâtiments', amount: 8000 },
  { memberId: 'com-78646', programme: 'Plan numérique des écoles', amount: 120000 },
  { memberId: 'com-78646', programme: 'Vidéoprotection', amount: 35000 },
  { memberId: 'epci-247800584', programme: 'Mobilité électrique', amount: 250000 },
  { memberId: 'com-78517', programme: 'Plan numérique des écoles', amount: 40000 },
];

/** A lot's demo catalogue as the CSV file the SMO would import (one transaction per lot). */
const catalogueCsv = (items: DemoItem[]): string =>
  [
    CATALOGUE_COLUMNS.join(';'),
    ...items.map(([reference, label, category, unit, price, list, tiers, vat]) =>
      [reference, label, category, unit, price, (vat ?? 2000) / 100, list, reference === 'TAB-OLD-32' ? 'oui' : 'non', (tiers ?? []).map(([min, p]) => `${min}:${p}`).join('|')].join(';'),
    ),
  ].join('\n');

/**
 * The purchasing centre's demo: three agreements covering the five lots with their catalogues,
 * conventions and budgets of several members, and orders in every state. Each part is loaded only
 * when missing, so that running the seed again changes nothing.
 */
export async function loadPurchasingDemo(db: Db, purchasing: PurchasingService): Promise<number> {
  const { catalogue, orders } = purchasing;
  let loaded = 0;
  for (const { input, items } of AGREEMENTS) {
    if (await db.selectFrom('purchasing_agreements').select('id').where('reference', '=', input.reference).executeTakeFirst()) continue;
    const agreement = await catalogue.createAgreement(SMO_BUYER, input);
    for (const lot of agreement.lots) {
      const report = await catalogue.importCatalogue(SMO_BUYER, lot.id, catalogueCsv(items[lot.code] ?? []));
      if (report.rejects.length > 0) throw new Error(`demo catalogue of ${lot.code}: ${JSON.stringify(report.rejects)}`);
    }
    loaded += 1;
  }
  for (const convention of CONVENTIONS) {
    if (await db.selectFrom('purchasing_conventions').select('id').where('reference', '=', convention.reference).executeTakeFirst()) continue;
    await catalogue.createConvention(SMO_BUYER, convention);
  }
  const year = new Date().getUTCFullYear();
  for (const budget of BUDGETS) {
    const exists = await db.selectFrom('purchasing_budgets').select('id').where('member_id', '=', budget.memberId).where('year', '=', year).where('programme', '=', budget.programme).executeTakeFirst();
    if (!exists) await orders.createBudget(SMO_BUYER, { ...budget, year });
  }
  if (await db.selectFrom('purchasing_orders').select('id').limit(1).executeTakeFirst()) return loaded;

  const lotOf = async (reference: string, code: LotCode) =>
    (await db.selectFrom('purchasing_lots as l').innerJoin('purchasing_agreements as a', 'a.id', 'l.agreement_id').select('l.id').where('a.reference', '=', reference).where('l.code', '=', code).executeTakeFirstOrThrow()).id;
  const itemOf = async (lotId: string, reference: string) => (await db.selectFrom('purchasing_items').select('id').where('lot_id', '=', lotId).where('reference', '=', reference).executeTakeFirstOrThrow()).id;
  const siteOf = async (memberId: string, name: string) => (await db.selectFrom('sites').select('id').where('member_id', '=', memberId).where('name', '=', name).executeTakeFirst())?.id ?? null;
  const budgetOf = async (memberId: string, programme: string) =>
    (await db.selectFrom('purchasing_budgets').select('id').where('member_id', '=', memberId).where('year', '=', year).where('programme', '=', programme).executeTakeFirstOrThrow()).id;

  const edu = await lotOf('AC-2025-EDU', 'e-education');
  const furniture = await lotOf('AC-2025-EDU', 'school-furniture');
  const video = await lotOf('AC-2025-SURV', 'video-protection');
  const irve = await lotOf('AC-2026-IRVE', 'charging-stations');
  const clamart = { memberId: 'com-92023', site: await siteOf('com-92023', 'École élémentaire Jules Ferry'), budget: await budgetOf('com-92023', 'Plan numérique des écoles') };
  const versailles = { memberId: 'com-78646', site: await siteOf('com-78646', 'Hôtel de ville de Versailles'), budget: await budgetOf('com-78646', 'Plan numérique des écoles') };
  const clamartAdmin: AuditActor = { id: null, label: 'admin.clamart@mutualis.demo' };
  const versaillesAgent: AuditActor = { id: null, label: 'agent.versailles@mutualis.demo' };
  const vgpAdmin: AuditActor = { id: null, label: 'admin.vgp@mutualis.demo' };
  const smoAdmin: AuditActor = { id: null, label: 'admin@mutualis.demo' };

  const draft = async (actor: AuditActor, who: { memberId: string; site: string | null; budget: string }, lotId: string, title: string, lines: [string, number][]) =>
    orders.createOrder(actor, { memberId: who.memberId, lotId, title, budgetId: who.budget, deliverySiteId: who.site, lines: await Promise.all(lines.map(async ([ref, quantity]) => ({ itemId: await itemOf(lotId, ref), quantity }))) });

  // Clamart: a full cycle through closing, a partial delivery, and one order of each earlier state.
  const closed = await draft(clamartAdmin, clamart, edu, 'Tablettes des CM1-CM2 (rentrée 2026)', [['TAB-10-64', 120], ['CHAR-32', 4]]);
  await orders.submit(clamartAdmin, closed.id);
  await orders.validate(SMO_BUYER, closed.id, null);
  await orders.send(SMO_BUYER, closed.id);
  const full = await orders.getOrder(closed.id);
  await orders.deliver(clamartAdmin, closed.id, { note: 'Livraison complète', lines: full.lines.map((l) => ({ orderLineId: l.id, quantity: l.quantity })) });
  await orders.invoice(SMO_BUYER, closed.id, { invoiceNumber: 'FA-2026-0412', amount: Math.round(full.totalInclVat * 100) / 100, chorusInvoiceId: 'CPP-2026-778812', chorusEngagement: 'EJ-92023-2026-118' });
  await orders.close(SMO_BUYER, closed.id);

  // Versailles orders tablets too: the pooled volume reaches a lower tier than Versailles alone would.
  const partial = await draft(versaillesAgent, versailles, edu, 'Vidéoprojecteurs interactifs et tablettes', [['VPI-UHD-3', 12], ['TAB-10-64', 90]]);
  await orders.submit({ id: null, label: 'admin.vgp@mutualis.demo' }, partial.id);
  await orders.validate(SMO_BUYER, partial.id, null);
  await orders.send(SMO_BUYER, partial.id);
  const vpi = (await orders.getOrder(partial.id)).lines.find((l) => l.itemReference === 'VPI-UHD-3')!;
  await orders.deliver(versaillesAgent, partial.id, { note: 'Première livraison : 5 vidéoprojecteurs', lines: [{ orderLineId: vpi.id, quantity: 5, serialNumbers: ['VPI3-24A001', 'VPI3-24A002', 'VPI3-24A003', 'VPI3-24A004', 'VPI3-24A005'] }] });

  const delivered = await draft(clamartAdmin, clamart, furniture, 'Mobilier de la classe ULIS', [['TAB-ELEVE-R', 12], ['CHAISE-T6', 12]]);
  await orders.submit(clamartAdmin, delivered.id);
  await orders.validate(SMO_BUYER, delivered.id, null);
  await orders.send(SMO_BUYER, delivered.id);
  await orders.deliver(clamartAdmin, delivered.id, { lines: (await orders.getOrder(delivered.id)).lines.map((l) => ({ orderLineId: l.id, quantity: l.quantity })) });

  const invoiced = await draft(clamartAdmin, { ...clamart, budget: await budgetOf('com-92023', 'Sécurité des bâtiments') }, video, 'Caméras du parvis de la mairie', [['CAM-DOME-4K', 6], ['POSE-CAM', 6]]);
  await orders.submit(clamartAdmin, invoiced.id);
  await orders.validate(SMO_BUYER, invoiced.id, null);
  await orders.send(SMO_BUYER, invoiced.id);
  await orders.deliver(clamartAdmin, invoiced.id, { lines: (await orders.getOrder(invoiced.id)).lines.map((l) => ({ orderLineId: l.id, quantity: l.quantity })) });
  const camera = await orders.getOrder(invoiced.id);
  await orders.invoice(SMO_BUYER, invoiced.id, { invoiceNumber: 'VU-26-00981', amount: camera.totalInclVat, chorusInvoiceId: 'CPP-2026-781204' });

  const sent = await draft(versaillesAgent, versailles, edu, 'Bornes Wi-Fi de l’école Richard Mique', [['WIFI-AP6', 18]]);
  await orders.submit(vgpAdmin, sent.id);
  await orders.validate(SMO_BUYER, sent.id, null);
  await orders.send(SMO_BUYER, sent.id);

  const validated = await draft(clamartAdmin, clamart, edu, 'Micros HF pour les classes', [['MIC-HF-CL', 24]]);
  await orders.submit(clamartAdmin, validated.id);
  await orders.validate(smoAdmin, validated.id, null);

  const submitted = await draft(versaillesAgent, versailles, edu, 'Robots pédagogiques pour le périscolaire', [['ROB-EDU-1', 6]]);
  await orders.submit(vgpAdmin, submitted.id);
  const clamartSubmitted = await draft(clamartAdmin, clamart, edu, 'Ordinateurs des enseignants', [['PC-PORT-14', 35]]);
  await orders.submit(clamartAdmin, clamartSubmitted.id);

  await draft(versaillesAgent, versailles, edu, 'Kit web radio (projet)', [['KIT-WEBRADIO', 1]]);
  await draft(vgpAdmin, { memberId: 'epci-247800584', site: null, budget: await budgetOf('epci-247800584', 'Mobilité électrique') }, irve, 'Bornes des parkings intercommunaux', [['IRVE-AC-22', 6], ['IRVE-POSE', 6]]);

  const cancelled = await draft(clamartAdmin, clamart, edu, 'Tablettes (commande en double)', [['TAB-10-64', 10]]);
  await orders.cancel(clamartAdmin, cancelled.id, 'Doublon de la commande des CM1-CM2');
  return loaded;
}
