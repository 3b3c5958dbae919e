import { Type, type TSchema } from 'typebox';

/**
 * The list conventions of every collection route: ?q= (search), ?page= (from 1), ?pageSize= (1-200,
 * default 50), ?sort= (a field name, "-" in front for descending). Answers { items, total, page, pageSize }.
 */
export function listQuery<const S extends string[], P extends Record<string, TSchema>>(sortFields: S, filters: P) {
  const sortValues = sortFields.flatMap((f) => [f, `-${f}`]);
  return Type.Object(
    {
      q: Type.Optional(Type.String({ maxLength: 100, description: 'Recherche plein texte (sans casse ni accents)' })),
      page: Type.Integer({ minimum: 1, default: 1 }),
      pageSize: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
      sort: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: sortValues, description: `Tri : ${sortFields.join(', ')} ; préfixe "-" pour décroissant` })),
      ...filters,
    },
    { additionalProperties: false },
  );
}

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  });
}

export interface PageRequest {
  page: number;
  pageSize: number;
  sort?: string | undefined;
}

export function parseSort<F extends string>(sort: string | undefined, fallback: F): { field: F; direction: 'asc' | 'desc' } {
  if (!sort) return { field: fallback, direction: 'asc' };
  return sort.startsWith('-') ? { field: sort.slice(1) as F, direction: 'desc' } : { field: sort as F, direction: 'asc' };
}

export const offsetOf = (p: PageRequest) => (p.page - 1) * p.pageSize;

/** Search text folded as PostgreSQL's unaccent would, for an ILIKE on a folded column. */
export function searchPattern(q: string): string {
  return `%${foldText(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Lower case without diacritics, for searches done in memory. */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().trim();
}

const ACCENTED = 'àáâäãåçèéêëìíîïñòóôöõùúûüýÿœæ';
const PLAIN = 'aaaaaaceeeeiiiinooooouuuuyyoa';

/** SQL expression folding a text column like searchPattern folds the query (PGlite has no unaccent). */
export function foldedSql(column: string): string {
  return `translate(lower(${column}), '${ACCENTED}', '${PLAIN}')`;
}
