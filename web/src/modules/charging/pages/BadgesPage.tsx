import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Table, Text } from '@mantine/core';
import { api } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, formatDate } from '../../../app/components';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Badge } from '../types';

export function BadgesPage() {
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['charging', 'badges', page],
    queryFn: () => api<Page<Badge>>('/api/charging/badges', { query: { page, pageSize: 50 } }),
    placeholderData: keepPreviousData,
  });
  const c = T.badges.columns;
  return (
    <>
      <PageHeader title={T.badges.title}>
        <Text>{T.badges.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table striped data-testid="badges-table">
            <Table.Thead>
              <Table.Tr>
                {[c.tag, c.label, c.status, c.owner, c.expires, c.parent].map((h) => (
                  <Table.Th key={h}>{h}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((b) => (
                <Table.Tr key={b.idTag}>
                  <Table.Td>{b.idTag}</Table.Td>
                  <Table.Td>{b.label}</Table.Td>
                  <Table.Td>{T.badges.status[b.status] ?? b.status}</Table.Td>
                  <Table.Td>{b.ownerMemberId}</Table.Td>
                  <Table.Td>{formatDate(b.expiresAt)}</Table.Td>
                  <Table.Td>{b.parentIdTag ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ListFooter total={data.total} page={page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}
