import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { Anchor, Button, Grid, Group, Stack, Table, Text, Title } from '@mantine/core';
import { GeoJSON } from 'react-leaflet';
import type { Layer, PathOptions } from 'leaflet';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, Tile, TileGroup, formatDate, formatNumber } from '../../../app/components';
import { BaseMap } from '../../territory/map';
import { BuildingPoints } from './BuildingPoints';
import { NO_DATA_FILL, SHARE_STEPS, T } from '../strings';
import type { Programme, Progress } from '../types';

type ProgressFeature = GeoJSON.Feature<GeoJSON.Geometry, Progress>;

const fillOf = (share: number | null) => (share === null ? NO_DATA_FILL : SHARE_STEPS.find((s) => share >= s.min)!.fill);

function styleOf(feature?: ProgressFeature): PathOptions {
  return { color: '#495057', weight: 1, fillColor: fillOf(feature?.properties.shareConnectable ?? null), fillOpacity: 0.7 };
}

function ProgrammeTiles({ programme }: { programme: Programme }) {
  const forecast = programme.reached ? T.map.reached : programme.forecastDate ? formatDate(programme.forecastDate) : T.map.forecastNone;
  return (
    <TileGroup title={T.map.programme}>
      <Tile label={T.map.target} value={formatNumber(programme.targetHouseholds)} hint={T.map.targetHint} />
      <Tile label={T.map.connectable} value={formatNumber(programme.connectableDwellings)} hint={T.map.connectableHint(T.share(programme.progress), formatDate(programme.date))} />
      <Tile label={T.map.pace} value={formatNumber(programme.pacePerMonth)} hint={T.map.paceHint} />
      <Tile label={T.map.forecast} value={forecast} />
    </TileGroup>
  );
}

export function FibreMapPage() {
  const navigate = useNavigate();
  const programme = useQuery({ queryKey: ['fibre', 'programme'], queryFn: () => api<Programme>('/api/fibre/programme', { query: { limit: 15 } }) });
  const map = useQuery({ queryKey: ['fibre', 'communes-geojson'], queryFn: () => api<GeoJSON.FeatureCollection<GeoJSON.Geometry, Progress>>('/api/fibre/communes.geojson') });
  const onEachFeature = (feature: ProgressFeature, layer: Layer) => {
    layer.bindTooltip(`${feature.properties.name} – ${T.share(feature.properties.shareConnectable)}`, { sticky: true });
    layer.on('click', () => void navigate(`/fibre/communes/${feature.properties.insee}`));
  };
  const error = programme.error ?? map.error;
  return (
    <>
      <PageHeader
        title={T.map.title}
        actions={
          <Group gap="xs">
            <Button component="a" href="/api/fibre/export/communes.csv" variant="default">
              {T.map.exportCsv}
            </Button>
            <Button component="a" href="/api/fibre/export/communes.json" variant="default">
              {T.map.exportJson}
            </Button>
          </Group>
        }
      >
        <Text>{T.map.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void Promise.all([programme.refetch(), map.refetch()])} />}
      {programme.data ? <ProgrammeTiles programme={programme.data} /> : !error && <Loading />}
      <Grid gap="lg" mt="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <BaseMap label={T.map.label} height="min(65vh, 600px)">
            {map.data && <GeoJSON key={map.dataUpdatedAt} data={map.data} style={styleOf as never} onEachFeature={onEachFeature as never} />}
            {map.data && <BuildingPoints communes={map.data} />}
          </BaseMap>
          <section aria-labelledby="fibre-legend">
            <Title order={2} fz="h4" id="fibre-legend" mt="sm" mb="xs">
              {T.map.legend}
            </Title>
            <Group gap="md" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
              {[...SHARE_STEPS.map((s) => [s.fill, s.label] as const), [NO_DATA_FILL, T.map.noData] as const].map(([fill, label]) => (
                <Group key={label} gap={6} component="li" wrap="nowrap">
                  <span aria-hidden style={{ width: 18, height: 14, background: fill, border: '1px solid #495057', display: 'inline-block' }} />
                  <Text size="sm">{label}</Text>
                </Group>
              ))}
            </Group>
          </section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="xs">
            <Title order={2} fz="h4">
              {T.map.ranked}
            </Title>
            <Text size="sm">{T.map.rankedHint}</Text>
            {programme.data && (
              <Table striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{T.map.columns.rank}</Table.Th>
                    <Table.Th>{T.map.columns.commune}</Table.Th>
                    <Table.Th>{T.map.columns.population}</Table.Th>
                    <Table.Th>{T.map.columns.notConnectable}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {programme.data.rankedByNeed.map((c) => (
                    <Table.Tr key={c.insee}>
                      <Table.Td>{c.rank}</Table.Td>
                      <Table.Td>
                        <Anchor component={Link} to={`/fibre/communes/${c.insee}`}>
                          {c.name}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{formatNumber(c.population)}</Table.Td>
                      <Table.Td>{T.share(c.shareNotConnectable)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
