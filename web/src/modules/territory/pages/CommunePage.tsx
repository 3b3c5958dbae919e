import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Badge, Button, Grid, Group, List, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { GeoJSON } from 'react-leaflet';
import { api, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDate, formatNumber } from '../../../app/components';
import { usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { BaseMap, FitTo } from '../map';
import { ADHESION_COLORS, T } from '../strings';
import type { CommuneDetail, Site } from '../types';
import { TONE } from '../../../app/theme';

export function AdhesionBadge({ status }: { status: string }) {
  const colors = { adherent: 'blue.9', non_adherent: 'gray.8', withdrawn: TONE.warning } as Record<string, string>;
  return (
    <Badge variant="filled" color={colors[status] ?? 'gray.8'} tt="none">
      {T.adhesion[status] ?? status}
    </Badge>
  );
}

function AdhesionForm({ commune }: { commune: CommuneDetail }) {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState(commune.adhesionStatus);
  const [date, setDate] = useState(commune.adhesionDate ?? '');
  const save = useMutation({
    mutationFn: () => api(`/api/members/${commune.memberId}`, { method: 'PATCH', body: { adhesionStatus: status, adhesionDate: date || null } }),
    onSuccess: () => queryClient.invalidateQueries({ predicate: (q) => ['commune', 'communes', 'communes-geojson', 'territory-figures', 'members'].includes(String(q.queryKey[0])) }),
  });
  return (
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <Title order={2} fz="h4" mb="xs">{T.commune.changeStatus}</Title>
      <Group align="flex-end" gap="sm">
        <Select label={T.commune.statusLabel} data={Object.entries(T.adhesion).map(([value, label]) => ({ value, label }))} value={status} onChange={(v) => v && setStatus(v)} allowDeselect={false} w={200} />
        <TextInput label={T.commune.dateLabel} type="date" value={date} onChange={(e) => setDate(e.currentTarget.value)} w={180} />
        <Button type="submit" loading={save.isPending}>{T.commune.save}</Button>
      </Group>
      <div aria-live="polite">
        {save.isSuccess && <Text size="sm" mt="xs">{T.commune.saved}</Text>}
        {save.isError && <Alert color="red" mt="xs" role="alert">{errorMessage(save.error)}</Alert>}
      </div>
    </form>
  );
}

export function CommunePage() {
  const { insee = '' } = useParams();
  const seesSites = usePermission('site');
  const mayUpdateMembers = usePermission('member', 'update');
  const { data: commune, error, refetch } = useQuery({ queryKey: ['commune', insee], queryFn: () => api<CommuneDetail>(`/api/communes/${insee}`) });
  const { data: sites } = useQuery({
    queryKey: ['sites', { communeInsee: insee }],
    queryFn: () => api<Page<Site>>('/api/sites', { query: { communeInsee: insee, pageSize: 100, sort: 'name' } }),
    enabled: seesSites,
  });

  if (error) return (<><PageHeader title={T.commune.title} /><LoadError error={error} onRetry={() => void refetch()} /></>);
  if (!commune) return (<><PageHeader title={T.commune.title} /><Loading /></>);
  const colors = ADHESION_COLORS[commune.adhesionStatus] ?? ADHESION_COLORS.non_adherent!;
  const facts: [string, React.ReactNode][] = [
    [T.commune.insee, commune.insee],
    [T.commune.departement, T.departements[commune.departement] ?? commune.departement],
    [T.commune.population, formatNumber(commune.population)],
    [T.commune.postalCodes, commune.postalCodes.join(', ') || '—'],
    [T.commune.epci, commune.epci?.name ?? '—'],
    ...(commune.ept ? [[T.commune.ept, commune.ept.name] as [string, string]] : []),
    [T.commune.status, <><AdhesionBadge status={commune.adhesionStatus} />{commune.adhesionDate && <Text span size="sm" ml="xs">{T.commune.since} {formatDate(commune.adhesionDate)}</Text>}</>],
  ];

  return (
    <>
      <PageHeader title={commune.name}>
        <Anchor component={Link} to="/territoire/carte" size="sm">{T.commune.backToMap}</Anchor>
      </PageHeader>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="lg">
            <dl className="facts">
              {facts.map(([label, value]) => (
                <div key={label}><dt>{label}</dt><dd>{value}</dd></div>
              ))}
            </dl>
            {mayUpdateMembers && <AdhesionForm key={commune.adhesionStatus + commune.adhesionDate} commune={commune} />}
            <section aria-labelledby="commune-sites">
              <Title order={2} fz="h4" id="commune-sites" mb="xs">{T.commune.sites}</Title>
              <Text size="sm" mb="xs">{T.commune.sitesCount(commune.sitesCount)}</Text>
              {sites && sites.items.length > 0 && (
                <List size="sm" spacing={4}>
                  {sites.items.map((s) => (
                    <List.Item key={s.id}>
                      <Anchor component={Link} to={`/sites/${s.id}`}>{s.name}</Anchor> ({T.kinds[s.kind]})
                    </List.Item>
                  ))}
                </List>
              )}
            </section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <BaseMap label={`${T.map.label} : ${commune.name}`} height={380}>
            <GeoJSON key={commune.insee} data={commune.geometry} style={{ color: colors.stroke, fillColor: colors.fill, fillOpacity: 0.4, weight: 2 }} />
            <FitTo geometry={commune.geometry} />
          </BaseMap>
        </Grid.Col>
      </Grid>
    </>
  );
}
