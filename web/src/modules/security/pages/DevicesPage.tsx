import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Group, Select, Table, Text, TextInput } from '@mantine/core';
import { api } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader } from '../../../app/components';
import type { Page } from '../../../app/types';
import { T } from '../strings';
import type { Device } from '../types';
import { DeviceStatusBadge } from './common';

export function DevicesPage() {
  const [q, setQ] = useState('');
  const [kind, setKind] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const { data, error, refetch } = useQuery({
    queryKey: ['security', 'devices', q, kind, status, page],
    queryFn: () => api<Page<Device>>('/api/security/devices', { query: { q, kind, status, page, pageSize: 50, sort: 'code' } }),
    placeholderData: keepPreviousData,
  });
  const options = (labels: Record<string, string>) => Object.entries(labels).map(([value, label]) => ({ value, label }));
  return (
    <>
      <PageHeader title={T.devices.title}>
        <Text>{T.devices.intro}</Text>
      </PageHeader>
      <Group mb="md" align="flex-end">
        <TextInput label={T.devices.search} value={q} onChange={(e) => { setQ(e.currentTarget.value); setPage(1); }} w={260} />
        <Select label={T.devices.kind} data={options(T.devices.kinds)} value={kind} onChange={(v) => { setKind(v); setPage(1); }} clearable placeholder={T.devices.all} w={180} />
        <Select label={T.devices.status} data={options(T.devices.statuses)} value={status} onChange={(v) => { setStatus(v); setPage(1); }} clearable placeholder={T.devices.all} w={180} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table striped aria-label={T.devices.title}>
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.devices.columns).map((l) => (
                  <Table.Th key={l}>{l}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{d.code}</Table.Td>
                  <Table.Td>{d.name}</Table.Td>
                  <Table.Td>
                    {T.devices.kinds[d.kind]}
                    {d.model && ` ${T.devices.models[d.model] ?? d.model}`}
                  </Table.Td>
                  <Table.Td>{d.siteName}</Table.Td>
                  <Table.Td>
                    {d.zone ? T.devices.zones[d.zone] : '—'}
                    {d.zoneRestricted && (
                      <Text size="xs" c="red.9">
                        {T.alarm.restricted}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{d.frigateCamera ?? '—'}</Table.Td>
                  <Table.Td>
                    <DeviceStatusBadge status={d.status} />
                  </Table.Td>
                  <Table.Td>{d.maintainer ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}
