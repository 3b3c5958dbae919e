import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Checkbox, Group, Table, Text, TextInput } from '@mantine/core';
import { api, withQuery } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Session } from '../types';

export function SessionsPage() {
  const [page, setPage] = useState(1);
  const [filters, setFilters] = useState({ q: '', communeInsee: '', idTag: '', from: '', to: '', active: false });
  const query = {
    ...(filters.q && { q: filters.q }),
    ...(/^(78|92)\d{3}$/.test(filters.communeInsee) && { communeInsee: filters.communeInsee }),
    ...(filters.idTag && { idTag: filters.idTag }),
    ...(filters.from && { from: filters.from }),
    ...(filters.to && { to: filters.to }),
    ...(filters.active && { active: 'true' }),
  };
  const { data, error, refetch } = useQuery({
    queryKey: ['charging', 'sessions', query, page],
    queryFn: () => api<Page<Session>>('/api/charging/sessions', { query: { ...query, page, pageSize: 50 } }),
    placeholderData: keepPreviousData,
  });
  const set = (key: keyof typeof filters) => (value: string | boolean) => {
    setPage(1);
    setFilters((f) => ({ ...f, [key]: value }));
  };
  const c = T.sessions.columns;
  return (
    <>
      <PageHeader
        title={T.sessions.title}
        actions={
          <Button component="a" href={withQuery('/api/charging/sessions.csv', query)} variant="default">
            {T.sessions.export}
          </Button>
        }
      >
        <Text>{T.sessions.intro}</Text>
      </PageHeader>
      <Group gap="sm" mb="md" align="end">
        <TextInput label={T.sessions.filters.q} value={filters.q} onChange={(e) => set('q')(e.currentTarget.value)} />
        <TextInput label={T.sessions.filters.commune} value={filters.communeInsee} onChange={(e) => set('communeInsee')(e.currentTarget.value)} w={170} />
        <TextInput label={T.sessions.filters.badge} value={filters.idTag} onChange={(e) => set('idTag')(e.currentTarget.value)} w={170} />
        <TextInput label={T.sessions.filters.from} type="date" value={filters.from} onChange={(e) => set('from')(e.currentTarget.value)} />
        <TextInput label={T.sessions.filters.to} type="date" value={filters.to} onChange={(e) => set('to')(e.currentTarget.value)} />
        <Checkbox label={T.sessions.filters.active} checked={filters.active} onChange={(e) => set('active')(e.currentTarget.checked)} mb={8} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table striped data-testid="sessions-table">
            <Table.Thead>
              <Table.Tr>
                {[c.start, c.station, c.connector, c.badge, c.duration, c.energy, c.cost, c.reason].map((h) => (
                  <Table.Th key={h}>{h}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>{formatDateTime(s.startedAt)}</Table.Td>
                  <Table.Td>{s.stationName}</Table.Td>
                  <Table.Td>{s.connectorId}</Table.Td>
                  <Table.Td>{s.idTag}</Table.Td>
                  <Table.Td>{s.active ? T.sessions.running : T.sessions.minutes(s.durationMinutes)}</Table.Td>
                  <Table.Td>{T.sessions.kwh(s.energyKwh)}</Table.Td>
                  <Table.Td>{T.sessions.euros(s.cost)}</Table.Td>
                  <Table.Td>{s.stopReason ?? '—'}</Table.Td>
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
