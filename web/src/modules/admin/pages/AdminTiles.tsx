import { useQuery } from '@tanstack/react-query';
import { api } from '../../../app/api';
import { LoadError, Loading, Tile, TileGroup, formatNumber } from '../../../app/components';
import { allowed, useCurrentSession, useMemberScope } from '../../../app/session';
import type { Page } from '../../../app/types';
import { A } from '../strings';

export default function AdminTiles() {
  const session = useCurrentSession();
  const memberId = useMemberScope();
  const seesAudit = allowed(session.permissions, 'audit');
  const { data, error, refetch } = useQuery({
    queryKey: ['admin-figures', memberId ?? null, seesAudit],
    queryFn: async () => {
      const [users, audit] = await Promise.all([
        api<Page<unknown>>('/api/users', { query: { memberId, pageSize: 1 } }),
        seesAudit ? api<Page<unknown>>('/api/audit', { query: { pageSize: 1 } }) : Promise.resolve(null),
      ]);
      return { users: users.total, audit: audit?.total ?? null };
    },
  });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  return (
    <TileGroup title={A.tiles.title}>
      <Tile label={A.tiles.users} value={formatNumber(data.users)} />
      {data.audit !== null && <Tile label={A.tiles.audit} value={formatNumber(data.audit)} />}
    </TileGroup>
  );
}
