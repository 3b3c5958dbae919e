import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Grid, Group, Modal, Text } from '@mantine/core';
import { CircleMarker } from 'react-leaflet';
import { api, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { BaseMap, CommuneOutlines } from '../map';
import { T } from '../strings';
import type { Site } from '../types';

export function SitePage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mayUpdate = usePermission('site', 'update');
  const mayDelete = usePermission('site', 'delete');
  const [confirming, setConfirming] = useState(false);
  const { data: site, error, refetch } = useQuery({ queryKey: ['site', id], queryFn: () => api<Site>(`/api/sites/${id}`) });
  const remove = useMutation({
    mutationFn: () => api(`/api/sites/${id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['site', id] });
      await queryClient.invalidateQueries({ queryKey: ['sites'] });
      void navigate('/sites', { replace: true });
    },
  });

  if (error) return (<><PageHeader title={T.site.title} /><LoadError error={error} onRetry={() => void refetch()} /></>);
  if (!site) return (<><PageHeader title={T.site.title} /><Loading /></>);

  const facts: [string, React.ReactNode][] = [
    [T.site.kind, T.kinds[site.kind] ?? site.kind],
    ...(site.uai ? [[T.site.uai, site.uai] as [string, string]] : []),
    [T.site.address, site.address],
    [T.site.commune, <Anchor component={Link} to={`/territoire/communes/${site.communeInsee}`}>{site.communeName} ({site.communeInsee})</Anchor>],
    [T.site.member, site.memberName],
    [T.site.coordinates, `${site.latitude.toLocaleString('fr-FR', { maximumFractionDigits: 6 })} N, ${site.longitude.toLocaleString('fr-FR', { maximumFractionDigits: 6 })} E`],
    ...(site.notes ? [[T.site.notes, site.notes] as [string, string]] : []),
    [T.site.created, formatDateTime(site.createdAt)],
    [T.site.updated, formatDateTime(site.updatedAt)],
  ];

  return (
    <>
      <PageHeader
        title={site.name}
        actions={
          <>
            {mayUpdate && <Button component={Link} to={`/sites/${site.id}/modifier`}>{T.site.edit}</Button>}
            {mayDelete && <Button variant="outline" color="red.9" onClick={() => setConfirming(true)}>{T.site.delete}</Button>}
          </>
        }
      >
        <Anchor component={Link} to="/sites" size="sm">{T.site.backToList}</Anchor>
      </PageHeader>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <dl className="facts">
            {facts.map(([label, value]) => (
              <div key={label}><dt>{label}</dt><dd>{value}</dd></div>
            ))}
          </dl>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <BaseMap label={T.site.mapLabel(site.name)} height={320} center={[site.latitude, site.longitude]} zoom={15}>
            <CommuneOutlines />
            <CircleMarker center={[site.latitude, site.longitude]} radius={9} pathOptions={{ color: '#0b4a8b', fillColor: '#1c7ed6', fillOpacity: 0.8 }} />
          </BaseMap>
        </Grid.Col>
      </Grid>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={T.site.delete} closeButtonProps={{ 'aria-label': T.site.cancel }}>
        <Text mb="md">{T.site.confirmDelete(site.name)}</Text>
        {remove.isError && <Alert color="red" role="alert" mb="md">{errorMessage(remove.error)}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirming(false)}>{T.site.cancel}</Button>
          <Button color="red.9" loading={remove.isPending} onClick={() => remove.mutate()}>{T.site.confirm}</Button>
        </Group>
      </Modal>
    </>
  );
}
