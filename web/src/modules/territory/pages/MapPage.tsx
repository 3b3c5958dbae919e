import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Anchor, Grid, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { GeoJSON } from 'react-leaflet';
import type { Layer, PathOptions } from 'leaflet';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader } from '../../../app/components';
import type { Page } from '../../../app/types';
import { BaseMap, useConsoleConfig } from '../map';
import { ADHESION_COLORS, T } from '../strings';
import type { Commune } from '../types';

type CommuneFeature = GeoJSON.Feature<GeoJSON.Geometry, { insee: string; name: string; departement: string; population: number | null; adhesionStatus: string }>;

function styleOf(feature?: CommuneFeature): PathOptions {
  const colors = ADHESION_COLORS[feature?.properties.adhesionStatus ?? ''] ?? ADHESION_COLORS.non_adherent!;
  return { color: colors.stroke, weight: 1, fillColor: colors.fill, fillOpacity: 0.55, className: 'commune-shape' };
}

/** Keyboard and screen-reader users reach every commune through this search, the map's textual alternative. */
function CommuneSearch() {
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const { data, isFetching } = useQuery({
    queryKey: ['communes', 'search', debounced],
    queryFn: () => api<Page<Commune>>('/api/communes', { query: { q: debounced, pageSize: 10, sort: 'name' } }),
    enabled: debounced.length > 0,
  });
  return (
    <Stack gap="xs">
      <TextInput label={T.map.search} description={T.map.searchHint} value={q} onChange={(e) => setQ(e.currentTarget.value)} type="search" />
      <div aria-live="polite" aria-busy={isFetching}>
        {debounced && data && (data.items.length === 0 ? <Text size="sm">{T.map.noMatch}</Text> : (
          <List size="sm" spacing={4}>
            {data.items.map((c) => (
              <List.Item key={c.insee}>
                <Anchor component={Link} to={`/territoire/communes/${c.insee}`}>
                  {c.name}
                </Anchor>{' '}
                ({c.insee}, {T.adhesion[c.adhesionStatus]})
              </List.Item>
            ))}
          </List>
        ))}
      </div>
    </Stack>
  );
}

export function MapPage() {
  const navigate = useNavigate();
  const { data: config } = useConsoleConfig();
  const { data, error, refetch, dataUpdatedAt } = useQuery({
    queryKey: ['communes-geojson'],
    queryFn: () => api<GeoJSON.FeatureCollection<GeoJSON.Geometry, CommuneFeature['properties']>>('/api/communes.geojson'),
    staleTime: 5 * 60_000,
  });
  const counts = useMemo(() => {
    const byStatus: Record<string, number> = {};
    for (const f of data?.features ?? []) byStatus[f.properties.adhesionStatus] = (byStatus[f.properties.adhesionStatus] ?? 0) + 1;
    return byStatus;
  }, [data]);

  const onEachFeature = (feature: CommuneFeature, layer: Layer) => {
    layer.bindTooltip(`${feature.properties.name} – ${T.adhesion[feature.properties.adhesionStatus] ?? ''}`, { sticky: true });
    layer.on('click', () => void navigate(`/territoire/communes/${feature.properties.insee}`));
  };

  return (
    <>
      <PageHeader title={T.map.title}>
        <Text>{T.map.intro}</Text>
      </PageHeader>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 9 }}>
          <BaseMap label={T.map.label} height="min(70vh, 640px)">
            {data && <GeoJSON key={dataUpdatedAt} data={data} style={styleOf as never} onEachFeature={onEachFeature as never} />}
          </BaseMap>
          {!data && !error && <Loading />}
          {data && (
            <Text size="sm" mt="xs" data-testid="commune-count">
              {T.map.communes(data.features.length)}
            </Text>
          )}
          {config && !config.tileUrl && (
            <Text size="sm" mt="xs">
              {T.map.noTiles}
            </Text>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 3 }}>
          <Stack gap="lg">
            <section aria-labelledby="legend-title">
              <Title order={2} fz="h4" id="legend-title" mb="xs">
                {T.map.legend}
              </Title>
              <Stack gap={6} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {Object.entries(ADHESION_COLORS).map(([status, colors]) => (
                  <Group key={status} gap="xs" component="li" wrap="nowrap">
                    <span aria-hidden style={{ width: 18, height: 14, background: colors.fill, border: `2px solid ${colors.stroke}`, opacity: 0.8, display: 'inline-block' }} />
                    <Text size="sm">
                      {T.adhesion[status]} ({counts[status] ?? 0})
                    </Text>
                  </Group>
                ))}
              </Stack>
            </section>
            <CommuneSearch />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
