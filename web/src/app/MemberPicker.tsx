import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Select } from '@mantine/core';
import { api } from './api';
import { useSession } from './session';
import { S } from './strings';
import type { Page } from './types';

interface MemberOption {
  id: string;
  name: string;
  kind: string;
}

const KIND: Record<string, string> = { smo: 'Syndicat', departement: 'Département', epci: 'Intercommunalité', commune: 'Commune' };

/** "Voir un membre": SMO staff narrow the data views to one member. */
export function MemberPicker() {
  const { memberFilter, setMemberFilter } = useSession();
  const [search, setSearch] = useState(memberFilter?.name ?? '');
  const [debounced] = useDebouncedValue(search, 250);
  // The filter may be cleared elsewhere (the banner's button): the input follows it.
  useEffect(() => setSearch(memberFilter?.name ?? ''), [memberFilter]);
  const query = debounced === memberFilter?.name ? '' : debounced;
  const { data } = useQuery({
    queryKey: ['members', 'picker', query],
    queryFn: () => api<Page<MemberOption>>('/api/members', { query: { q: query, pageSize: 20, sort: 'name' } }),
    staleTime: 60_000,
  });
  const options = (data?.items ?? []).map((m) => ({ value: m.id, label: `${m.name} (${KIND[m.kind] ?? m.kind})` }));
  if (memberFilter && !options.some((o) => o.value === memberFilter.id)) options.unshift({ value: memberFilter.id, label: memberFilter.name });

  return (
    <Select
      label={S.memberFilter.label}
      placeholder={S.memberFilter.placeholder}
      searchable
      nothingFoundMessage={S.memberFilter.nothing}
      data={options}
      value={memberFilter?.id ?? null}
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      onChange={(value) => {
        const item = data?.items.find((m) => m.id === value);
        setMemberFilter(value ? { id: value, name: item?.name ?? memberFilter?.name ?? value } : null);
      }}
      size="xs"
      w={260}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
