import { useQuery } from '@tanstack/react-query';
import { Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader } from '../../../app/components';
import { T } from '../strings';
import type { Indicators } from '../types';

export function IndicatorsPage() {
  const { data, error, refetch } = useQuery({ queryKey: ['charging', 'indicators'], queryFn: () => api<Indicators>('/api/charging/indicators') });
  const c = T.indicators.columns;
  const m = T.indicators.monthColumns;
  return (
    <>
      <PageHeader title={T.indicators.title}>
        <Text>{T.indicators.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <Stack gap="xl">
          <section aria-labelledby="ind-availability">
            <Title order={2} fz="h4" id="ind-availability" mb="xs">
              {T.indicators.availability}
            </Title>
            <Table striped data-testid="availability-table">
              <Table.Thead>
                <Table.Tr>
                  {[c.station, c.point, c.usable, c.faulted, c.unavailable, c.offline, c.unknown].map((h) => (
                    <Table.Th key={h}>{h}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.availability.map((a) => (
                  <Table.Tr key={`${a.stationId}-${a.connectorId}`}>
                    <Table.Td>{a.stationName}</Table.Td>
                    <Table.Td>{a.connectorId}</Table.Td>
                    {[a.usable, a.faulted, a.unavailable, a.offline, a.unknown].map((v, i) => (
                      <Table.Td key={i}>{T.indicators.share(v)}</Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </section>
          <section aria-labelledby="ind-faults">
            <Title order={2} fz="h4" id="ind-faults" mb="xs">
              {T.indicators.faults}
            </Title>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{c.station}</Table.Th>
                  <Table.Th>{T.indicators.faultCount}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.faults.map((f) => (
                  <Table.Tr key={f.stationId}>
                    <Table.Td>{f.stationName}</Table.Td>
                    <Table.Td>{f.faults}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </section>
          <section aria-labelledby="ind-monthly">
            <Title order={2} fz="h4" id="ind-monthly" mb="xs">
              {T.indicators.monthly}
            </Title>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  {[m.month, m.commune, m.sessions, m.energy].map((h) => (
                    <Table.Th key={h}>{h}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.monthly.map((r) => (
                  <Table.Tr key={`${r.month}-${r.communeInsee}`}>
                    <Table.Td>{r.month}</Table.Td>
                    <Table.Td>{r.communeName ?? '—'}</Table.Td>
                    <Table.Td>{r.sessions}</Table.Td>
                    <Table.Td>{T.sessions.kwh(r.energyKwh)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </section>
        </Stack>
      )}
    </>
  );
}
