import { useQuery } from '@tanstack/react-query';
import { Stack } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, Tile, TileGroup, formatNumber } from '../../../app/components';
import { allowed, useCurrentSession, useMemberScope } from '../../../app/session';
import { T } from '../strings';
import { SITE_KINDS } from '../types';

interface Figures {
  communes: number;
  adherentCommunes: number;
  adherentMembers: number;
  sitesByKind: Record<string, number> | null;
}

export default function TerritoryTiles() {
  const session = useCurrentSession();
  const memberId = useMemberScope();
  const seesSites = allowed(session.permissions, 'site');
  const { data, error, refetch } = useQuery({
    queryKey: ['territory-figures', memberId ?? null, seesSites],
    // One request for every figure: on a cold start, several small ones queued behind each other.
    queryFn: () => api<Figures>('/api/territory/figures', { query: { memberId } }),
  });
  if (error) return <LoadError error={error} onRetry={() => void refetch()} />;
  if (!data) return <Loading />;
  return (
    <Stack gap="lg">
      <TileGroup title={T.tiles.title}>
        <Tile label={T.tiles.communes} value={formatNumber(data.communes)} hint={T.tiles.communesHint(data.adherentCommunes)} />
        <Tile label={T.tiles.members} value={formatNumber(data.adherentMembers)} hint={T.tiles.membersHint} />
      </TileGroup>
      {seesSites && (
        <TileGroup title={T.tiles.sitesTitle}>
          {SITE_KINDS.map((kind) => (
            <Tile key={kind} label={T.kindsPlural[kind]!} value={formatNumber(data.sitesByKind?.[kind] ?? 0)} />
          ))}
        </TileGroup>
      )}
    </Stack>
  );
}
