import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Anchor, Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { api } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import { useMemberScope, usePermission } from '../../../app/session';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import { SITE_KINDS, type Site } from '../types';

const PAGE_SIZE = 25;

export function SitesPage() {
  const [params, setParams] = useSearchParams();
  const memberId = useMemberScope();
  const mayCreate = usePermission('site', 'create');
  const q = params.get('q') ?? '';
  const kind = params.get('kind') ?? '';
  const departement = params.get('departement') ?? '';
  const sort = params.get('sort') ?? 'name';
  const page = Number(params.get('page') ?? '1') || 1;
  const [search, setSearch] = useState(q);
  const [debounced] = useDebouncedValue(search.trim(), 300);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    setParams(next, { replace: true });
  };
  useEffect(() => {
    if (debounced !== q) update({ q: debounced });
    // Only the debounced text drives the URL; the other parameters are read when it changes.
  }, [debounced]);

  const query = { q, kind, departement, sort, page, pageSize: PAGE_SIZE, memberId };
  const { data, error, refetch, isFetching } = useQuery({
    queryKey: ['sites', query],
    queryFn: () => api<Page<Site>>('/api/sites', { query }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader
        title={T.sites.title}
        actions={mayCreate && (
          <Button component={Link} to="/sites/nouveau">
            {T.sites.create}
          </Button>
        )}
      >
        <Text>{T.sites.intro}</Text>
      </PageHeader>
      <Group align="flex-end" gap="md" mb="md" role="search" wrap="wrap">
        <TextInput label={T.sites.search} description={T.sites.searchHint} type="search" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={280} />
        <Select label={T.sites.kind} data={[{ value: '', label: T.sites.allKinds }, ...SITE_KINDS.map((k) => ({ value: k, label: T.kinds[k]! }))]} value={kind} onChange={(v) => update({ kind: v ?? '' })} allowDeselect={false} w={200} />
        <Select label={T.sites.departement} data={[{ value: '', label: T.sites.allDepartements }, { value: '78', label: T.departements['78']! }, { value: '92', label: T.departements['92']! }]} value={departement} onChange={(v) => update({ departement: v ?? '' })} allowDeselect={false} w={200} />
        <Select label={T.sites.sort} data={Object.entries(T.sites.sorts).map(([value, label]) => ({ value, label }))} value={sort} onChange={(v) => update({ sort: v ?? 'name' })} allowDeselect={false} w={200} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table.ScrollContainer minWidth={700}>
            <Table striped highlightOnHover aria-busy={isFetching} data-testid="sites-table">
              <Table.Caption className="visually-hidden">{T.sites.caption}</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{T.sites.columns.name}</Table.Th>
                  <Table.Th scope="col">{T.sites.columns.kind}</Table.Th>
                  <Table.Th scope="col">{T.sites.columns.commune}</Table.Th>
                  <Table.Th scope="col">{T.sites.columns.member}</Table.Th>
                  <Table.Th scope="col">{T.sites.columns.updated}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((site) => (
                  <Table.Tr key={site.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/sites/${site.id}`}>
                        {site.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{T.kinds[site.kind] ?? site.kind}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/territoire/communes/${site.communeInsee}`}>
                        {site.communeName}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{site.memberName}</Table.Td>
                    <Table.Td>{formatDateTime(site.updatedAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {data.items.length === 0 && <Text mt="md">{T.sites.empty}</Text>}
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={(n) => update({ page: String(n) })} />
        </>
      )}
    </>
  );
}
