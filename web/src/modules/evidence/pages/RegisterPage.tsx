import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { api, withQuery } from '../../../app/api';
import { formatDateTime, ListFooter, LoadError, Loading, PageHeader } from '../../../app/components';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { RegisterEntry } from '../types';
import { DataTable, dayAfter, dayStart, formatPeriod } from './common';

const G = T.register;

/** The register of accesses to the images, filtered, with its CSV and printable exports under the same filters. */
export function RegisterPage() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [action, setAction] = useState<string | null>(null);
  const [requisition, setRequisition] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [requisitionNumber] = useDebouncedValue(requisition.trim(), 300);
  const [q] = useDebouncedValue(search.trim(), 300);
  const filters = { from: dayStart(from), to: dayAfter(to), action, requisition: requisitionNumber, q };
  const { data, error, refetch, isFetching } = useQuery({
    queryKey: ['evidence', 'register', filters, page],
    queryFn: () => api<Page<RegisterEntry>>('/api/evidence/register', { query: { ...filters, page, pageSize: 50 } }),
    placeholderData: keepPreviousData,
  });
  const change = (setter: (value: string) => void) => (value: string) => {
    setter(value);
    setPage(1);
  };
  return (
    <>
      <PageHeader
        title={G.title}
        actions={
          <>
            <Button component="a" variant="default" href={withQuery('/api/evidence/register.csv', filters)} download>
              {G.csv}
            </Button>
            <Button component="a" variant="default" href={withQuery('/api/evidence/register.html', filters)} target="_blank" rel="noopener">
              {G.html}
            </Button>
          </>
        }
      >
        <Text>{G.intro}</Text>
      </PageHeader>
      <Group mb="md" align="flex-end" role="search" wrap="wrap">
        <TextInput label={G.from} type="date" value={from} onChange={(e) => change(setFrom)(e.currentTarget.value)} w={170} />
        <TextInput label={G.to} type="date" value={to} onChange={(e) => change(setTo)(e.currentTarget.value)} w={170} />
        <Select label={G.action} data={Object.entries(G.actions).map(([value, label]) => ({ value, label }))} value={action} onChange={(v) => { setAction(v); setPage(1); }} clearable placeholder={G.all} w={250} />
        <TextInput label={G.requisition} value={requisition} onChange={(e) => change(setRequisition)(e.currentTarget.value)} w={200} maxLength={60} />
        <TextInput label={G.search} type="search" value={search} onChange={(e) => change(setSearch)(e.currentTarget.value)} w={240} maxLength={100} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.total === 0 && <Text>{G.empty}</Text>}
      {data && data.total > 0 && (
        <>
          <DataTable label={G.title} columns={Object.values(G.columns)} minWidth={1100} testId="register-table" busy={isFetching}>
            {data.items.map((e) => (
              <Table.Tr key={e.seq}>
                <Table.Td>{formatDateTime(e.at)}</Table.Td>
                <Table.Td>{e.actor}</Table.Td>
                <Table.Td>{e.actionLabel}</Table.Td>
                <Table.Td>{e.reason || '—'}</Table.Td>
                <Table.Td>{e.cameras.length ? e.cameras.join(', ') : '—'}</Table.Td>
                <Table.Td>{formatPeriod(e.from, e.to)}</Table.Td>
                <Table.Td>{e.siteName ?? '—'}</Table.Td>
                <Table.Td>{e.requisition ?? '—'}</Table.Td>
                <Table.Td>{e.media ?? '—'}</Table.Td>
                <Table.Td>{e.service ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}
