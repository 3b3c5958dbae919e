import { useQuery } from '@tanstack/react-query';
import { Grid, Stack, Table, Text, Title } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, Tile, TileGroup } from '../../../app/components';
import { T } from '../strings';
import type { Indicators } from '../types';

function RateTable({ title, rows }: { title: string; rows: Indicators['falseAlarmRate']['bySite'] }) {
  return (
    <section aria-label={`${T.indicators.falseRate} ${title}`}>
      <Title order={3} fz="h5" mb="xs">
        {T.indicators.falseRate} {title}
      </Title>
      {rows.length === 0 ? (
        <Text>{T.indicators.none}</Text>
      ) : (
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.indicators.columns).map((l) => (
                <Table.Th key={l}>{l}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td>{r.qualified}</Table.Td>
                <Table.Td>{r.falseAlarms}</Table.Td>
                <Table.Td>{T.percent(r.rate)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

export function IndicatorsPage() {
  const { data, error, refetch } = useQuery({ queryKey: ['security', 'indicators'], queryFn: () => api<Indicators>('/api/security/indicators') });
  return (
    <>
      <PageHeader title={T.indicators.title}>
        <Text>{T.indicators.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <Stack gap="xl">
          <TileGroup title={T.indicators.keyFigures}>
            <Tile label={T.indicators.alarms} value={String(data.alarms)} />
            <Tile label={T.indicators.take} value={T.duration(data.timeToTake.p50)} hint={T.indicators.p(T.duration(data.timeToTake.p50), T.duration(data.timeToTake.p90))} />
            <Tile label={T.indicators.qualify} value={T.duration(data.timeToQualify.p50)} hint={T.indicators.p(T.duration(data.timeToQualify.p50), T.duration(data.timeToQualify.p90))} />
            <Tile label={T.indicators.availability} value={T.percent(data.devices.availability)} hint={T.indicators.availabilityHint(data.devices.online, data.devices.total, data.devices.tampered)} />
          </TileGroup>
          <Grid gap="xl">
            <Grid.Col span={{ base: 12, md: 6 }}>
              <RateTable title={T.indicators.bySite} rows={data.falseAlarmRate.bySite} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <RateTable title={T.indicators.byRule} rows={data.falseAlarmRate.byRule} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <RateTable title={T.indicators.byDevice} rows={data.falseAlarmRate.byDevice} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <section aria-labelledby="police-title">
                <Title order={3} fz="h5" mb="xs" id="police-title">
                  {T.indicators.police}
                </Title>
                {data.policeCallsByMonth.length === 0 ? (
                  <Text>{T.indicators.none}</Text>
                ) : (
                  <Table striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{T.indicators.policeColumns.month}</Table.Th>
                        <Table.Th>{T.indicators.policeColumns.calls}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.policeCallsByMonth.map((m) => (
                        <Table.Tr key={m.month}>
                          <Table.Td>{m.month}</Table.Td>
                          <Table.Td>{m.calls}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                )}
              </section>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </>
  );
}
