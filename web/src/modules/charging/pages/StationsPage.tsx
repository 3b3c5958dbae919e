import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Anchor, Button, Stack, Table, Text } from '@mantine/core';
import { CircleMarker, Tooltip } from 'react-leaflet';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import type { Page } from '../../../app/types';
import { BaseMap, CommuneOutlines } from '../../territory/map';
import { pointState, stateColour } from '../format';
import { T } from '../strings';
import type { Station } from '../types';

function markerColour(s: Station) {
  if (!s.online) return '#868e96';
  if (s.chargePoints.some((p) => p.status === 'Faulted')) return '#c92a2a';
  return s.chargePoints.every((p) => p.occupied) ? '#a63c06' : '#216e33';
}

export function StationsPage() {
  const { data, error, refetch } = useQuery({
    queryKey: ['charging', 'stations'],
    queryFn: () => api<Page<Station>>('/api/charging/stations', { query: { pageSize: 200, sort: 'name' } }),
  });
  return (
    <>
      <PageHeader
        title={T.stations.title}
        actions={
          <Button component="a" href="/api/opendata/irve/statique.csv" variant="default">
            {T.stations.openData}
          </Button>
        }
      >
        <Text>{T.stations.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <Stack gap="lg">
          <BaseMap label={T.stations.map} height="min(50vh, 420px)">
            <CommuneOutlines />
            {data.items
              .filter((s) => s.latitude !== null && s.longitude !== null)
              .map((s) => (
                <CircleMarker key={s.id} center={[s.latitude!, s.longitude!]} radius={9} pathOptions={{ color: '#212529', weight: 1, fillColor: markerColour(s), fillOpacity: 0.9 }}>
                  <Tooltip>{`${s.name} – ${s.chargePoints.map((p) => `${T.stations.columns.point(p.connectorId)} ${pointState(s, p)}`).join(', ')}`}</Tooltip>
                </CircleMarker>
              ))}
          </BaseMap>
          {data.items.length === 0 ? (
            <Text>{T.stations.empty}</Text>
          ) : (
            <Table striped data-testid="stations-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{T.stations.columns.name}</Table.Th>
                  <Table.Th>{T.stations.columns.commune}</Table.Th>
                  <Table.Th>{T.stations.columns.link}</Table.Th>
                  <Table.Th>{T.stations.columns.point(1)}</Table.Th>
                  <Table.Th>{T.stations.columns.point(2)}</Table.Th>
                  <Table.Th>{T.stations.columns.lastSeen}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((s) => (
                  <Table.Tr key={s.id} data-identity={s.ocppIdentity}>
                    <Table.Td>
                      <Anchor component={Link} to={`/recharge/bornes/${s.id}`}>
                        {s.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{s.communeName ?? '—'}</Table.Td>
                    <Table.Td>{s.online ? T.online : T.offline}</Table.Td>
                    {[1, 2].map((n) => {
                      const point = s.chargePoints.find((p) => p.connectorId === n);
                      return (
                        <Table.Td key={n} data-testid={`point-${n}`} style={{ color: point ? stateColour(s, point) : undefined, fontWeight: 600 }}>
                          {point ? pointState(s, point) : '—'}
                        </Table.Td>
                      );
                    })}
                    <Table.Td>{formatDateTime(s.lastSeenAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Stack>
      )}
    </>
  );
}
