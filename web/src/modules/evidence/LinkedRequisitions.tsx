import { Anchor, List, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../../app/api';
import { usePermission } from '../../app/session';
import { formatPeriod, RequisitionStatusBadge } from './pages/common';
import type { Requisition } from './types';

/**
 * The judicial requisitions whose images cover a site over a period: the "linked evidence" of an incident
 * report. Users who may not read requisitions see `empty`.
 */
export function LinkedRequisitions({ siteId, from, to, empty }: { siteId: string; from: string; to: string; empty: string }) {
  const allowed = usePermission('evidence_requisition');
  const { data } = useQuery({
    queryKey: ['evidence', 'requisitions', 'linked', siteId, from, to],
    queryFn: () => api<Requisition[]>('/api/evidence/requisitions', { query: { siteId, from, to } }),
    enabled: allowed,
  });
  if (!data?.length) return <Text>{empty}</Text>;
  return (
    <List>
      {data.map((r) => (
        <List.Item key={r.id}>
          <Anchor component={Link} to={`/preuves/requisitions/${r.id}`}>
            n° {r.number}
          </Anchor>{' '}
          — {r.authority} — {formatPeriod(r.from, r.to)} — <RequisitionStatusBadge status={r.status} />
        </List.Item>
      ))}
    </List>
  );
}
