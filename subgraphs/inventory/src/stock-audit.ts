import type { EntityManager } from '@mikro-orm/postgresql';

export interface ReservedMismatch {
  productId: string;
  /** `stock_level.reserved`. */
  reserved: number;
  /** What the RESERVED reservations' lines hold of the product. */
  held: number;
}

/**
 * Products whose `reserved` counter disagrees with the lines of RESERVED reservations: empty while the
 * bookkeeping is sound. For tests and operators; it reads every reservation, so it is not for requests.
 */
export async function findReservedMismatches(em: EntityManager): Promise<ReservedMismatch[]> {
  const schema = em.config.get('schema');
  const table = (name: string) => (schema ? `"${schema}"."${name}"` : `"${name}"`);
  const rows: Array<{ product_id: string; reserved: number; held: number }> = await em.execute(
    `select coalesce(s.product_id, h.product_id) as product_id,
            coalesce(s.reserved, 0) as reserved, coalesce(h.held, 0)::int as held
       from ${table('stock_level')} s
       full join (select l.product_id, sum(l.quantity) as held
                    from ${table('reservation_line')} l
                    join ${table('reservation')} r on r.order_id = l.order_id
                   where r.status = 'RESERVED'
                   group by l.product_id) h on h.product_id = s.product_id
      where coalesce(s.reserved, 0) <> coalesce(h.held, 0)
      order by 1`,
  );
  return rows.map((row) => ({ productId: row.product_id, reserved: row.reserved, held: row.held }));
}
