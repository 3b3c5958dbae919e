import type { Db } from '../../platform/db/database.js';
import { toEuros } from './pricing.js';

/**
 * The DECP 2.0.3 "marche" of every awarded agreement (notified on or before today). The buyer is the
 * SMO (its SIRET from SMO_SIRET); the amount is the sum of the lots' maximums (the "montant estimé
 * maximum" of a framework agreement), and each amendment republishes the new amount.
 */
export async function decpExport(db: Db, buyerSiret: string, today = new Date().toISOString().slice(0, 10)) {
  const [agreements, suppliers, amounts, amendments] = await Promise.all([
    db.selectFrom('purchasing_agreements').selectAll().where('notification_date', '<=', today).orderBy('reference').execute(),
    db.selectFrom('purchasing_suppliers').select(['agreement_id', 'siret']).orderBy('siret').execute(),
    db.selectFrom('purchasing_lots').select((eb) => ['agreement_id', eb.fn.sum<number>('max_cents').as('max_cents')]).groupBy('agreement_id').execute(),
    db.selectFrom('purchasing_amendments').select(['agreement_id', 'seq', 'date', 'amount_cents']).orderBy('agreement_id').orderBy('seq').execute(),
  ]);
  const titulaires = new Map<string, { titulaire: { typeIdentifiant: 'SIRET'; id: string } }[]>();
  for (const s of suppliers) {
    const list = titulaires.get(s.agreement_id) ?? [];
    list.push({ titulaire: { typeIdentifiant: 'SIRET', id: s.siret } });
    titulaires.set(s.agreement_id, list);
  }
  const maxima = new Map(amounts.map((a) => [a.agreement_id, Number(a.max_cents)]));
  const changes = new Map<string, typeof amendments>();
  for (const a of amendments) changes.set(a.agreement_id, [...(changes.get(a.agreement_id) ?? []), a]);

  const marche = agreements.map((a) => {
    const initial = maxima.get(a.id) ?? 100;
    let running = initial;
    const modifications = (changes.get(a.id) ?? []).map((m) => {
      running += Number(m.amount_cents);
      return { modification: { id: m.seq, dateNotificationModification: m.date, datePublicationDonneesModification: m.date, montant: Math.max(1, toEuros(running)) } };
    });
    return {
      id: a.reference,
      acheteur: { id: buyerSiret },
      nature: 'Marché',
      objet: a.object.slice(0, 1000),
      codeCPV: a.cpv_code,
      techniques: { technique: ['Accord-cadre'] },
      modalitesExecution: { modaliteExecution: [a.execution === 'purchase_orders' ? 'Bons de commande' : 'Marchés subséquents'] },
      marcheInnovant: false,
      ccag: 'Fournitures courantes et services',
      offresRecues: a.offers_received,
      attributionAvance: false,
      typeGroupementOperateurs: 'Pas de groupement',
      sousTraitanceDeclaree: false,
      procedure: a.procedure,
      // The SMO's territory: the Yvelines, where its seat is.
      lieuExecution: { code: '78', typeCode: 'Code département' },
      dureeMois: a.duration_months,
      dateNotification: a.notification_date,
      datePublicationDonnees: a.created_at.toISOString().slice(0, 10) < a.notification_date ? a.notification_date : a.created_at.toISOString().slice(0, 10),
      montant: Math.max(1, toEuros(initial)),
      typesPrix: { typePrix: [a.price_type] },
      formePrix: a.price_form,
      titulaires: titulaires.get(a.id) ?? [],
      considerationsSociales: { considerationSociale: ['Pas de considération sociale'] },
      considerationsEnvironnementales: { considerationEnvironnementale: ['Pas de considération environnementale'] },
      ...(modifications.length > 0 && { modifications }),
    };
  });
  return { marches: { marche } };
}
