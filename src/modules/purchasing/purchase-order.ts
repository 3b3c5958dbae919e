import type { Order } from './orders.service.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const money = (euros: number) => `${euros.toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`;

/** The purchase order (bon de commande) as a self-contained printable HTML page, for the supplier. */
export function purchaseOrderHtml(order: Order, buyer: { name: string; siret: string }): string {
  const rows = order.lines
    .map(
      (l) =>
        `<tr><td>${escape(l.itemReference)}</td><td>${escape(l.itemLabel)}</td><td class="n">${l.quantity}</td><td>${escape(l.unit)}</td><td class="n">${money(l.unitPriceExclVat)}</td><td class="n">${l.vatRate.toLocaleString('fr-FR')} %</td><td class="n">${money(l.totalExclVat)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Bon de commande ${escape(order.number ?? '(non envoyé)')}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin-top:1rem}
th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left}td.n{text-align:right;white-space:nowrap}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}@media print{body{margin:0}}
</style></head><body>
<h1>Bon de commande ${escape(order.number ?? '(non envoyé)')}</h1>
<dl>
<dt>Acheteur (centrale d’achat)</dt><dd>${escape(buyer.name)} — SIRET ${escape(buyer.siret)}</dd>
<dt>Bénéficiaire</dt><dd>${escape(order.memberName)}</dd>
<dt>Accord-cadre</dt><dd>${escape(order.agreementReference)}, lot ${escape(order.lotCode)}</dd>
<dt>Titulaire</dt><dd>${escape(order.supplier.name)} — SIRET ${escape(order.supplier.siret)}</dd>
<dt>Livraison</dt><dd>${escape(order.deliverySiteName ?? '—')}${order.deliverySiteAddress ? `, ${escape(order.deliverySiteAddress)}` : ''}</dd>
<dt>Objet</dt><dd>${escape(order.title)}</dd>
<dt>Validée le</dt><dd>${order.validatedAt ? escape(order.validatedAt.slice(0, 10)) : '—'}</dd>
</dl>
<table><thead><tr><th>Référence</th><th>Désignation</th><th>Qté</th><th>Unité</th><th>PU HT</th><th>TVA</th><th>Total HT</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
<tr><td colspan="6">Total HT</td><td class="n">${money(order.totalExclVat)}</td></tr>
<tr><td colspan="6">TVA</td><td class="n">${money(order.totalVat)}</td></tr>
<tr><td colspan="6">Total TTC</td><td class="n">${money(order.totalInclVat)}</td></tr>
</tfoot></table>
</body></html>`;
}
