import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Code, Table, Text } from '@mantine/core';
import { api } from '../../../app/api';
import { formatDateTime, ListFooter, LoadError, Loading, PageHeader } from '../../../app/components';
import type { Page } from '../../../app/types';
import { T } from '../strings';

interface DeadLetter {
  id: number;
  receivedAt: string;
  source: string;
  topic: string | null;
  payload: string;
  reason: string;
}

export function DeadLettersPage() {
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['security', 'dead-letters', page],
    queryFn: () => api<Page<DeadLetter>>('/api/security/dead-letters', { query: { page, pageSize: 50 } }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader title={T.deadLetters.title}>
        <Text>{T.deadLetters.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.total === 0 && <Text>{T.deadLetters.empty}</Text>}
      {data && data.total > 0 && (
        <>
          <Table striped aria-label={T.deadLetters.title}>
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.deadLetters.columns).map((l) => (
                  <Table.Th key={l}>{l}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{formatDateTime(d.receivedAt)}</Table.Td>
                  <Table.Td>{d.source.toUpperCase()}</Table.Td>
                  <Table.Td>{d.topic ?? '—'}</Table.Td>
                  <Table.Td>{d.reason}</Table.Td>
                  <Table.Td>
                    <Code block style={{ maxWidth: 360, maxHeight: 120, overflow: 'auto' }}>
                      {d.payload.slice(0, 500)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}
