import { useQuery } from '@tanstack/react-query';
import { Stack } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, Tile, TileGroup, formatNumber } from '../../../app/components';
import { allowed, useCurrentSession, useMemberScope } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import { SITE_KINDS } from '../types';

const total = (path: string, query: Record<string, string | number | undefined>) => api<Page<unknown>>(path, { query: { ...query, pageSize: 1 } }).then((p) => p.total);

export default function TerritoryTiles() {
  const session = useCurrentSession();
  const memberId = useMemberScope();
  const seesSites = allowed(session.permissions, 'site');
  const { data, error, refetch } = useQuery({
    queryKey: ['territory-figures', memberId ?? null, seesSites],
    queryFn: async () => {
      const [communes, adherentCommunes, members, ...sites] = await Promise.all([
        total('/api/communes', {}),
        total('/api/communes', { adhesionStatus: 'adherent' }),
        total('/api/members', { adhesionStatus: 'adherent' }),
        ...(seesSites ? SITE_KINDS.map((kind) => total('/api/sites', { kind, memberId })) : []),
      ]);
      return { communes: communes!, adherentCommunes: adherentCommunes!, members: members!, sites };
    },
  });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  return (
    <Stack gap="lg">
      <TileGroup title={T.tiles.title}>
        <Tile label={T.tiles.communes} value={formatNumber(data.communes)} hint={T.tiles.communesHint(data.adherentCommunes)} />
        <Tile label={T.tiles.members} value={formatNumber(data.members)} hint={T.tiles.membersHint} />
      </TileGroup>
      {seesSites && (
        <TileGroup title={T.tiles.sitesTitle}>
          {SITE_KINDS.map((kind, i) => (
            <Tile key={kind} label={T.kindsPlural[kind]!} value={formatNumber(data.sites[i] ?? 0)} />
          ))}
        </TileGroup>
      )}
    </Stack>
  );
}
