import { useState } from 'react';
import { Link } from 'react-router';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Anchor, Button, Group, Select, Table, Text, TextInput } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader } from '../../../app/components';
import { S } from '../../../app/strings';
import { usePermission } from '../../../app/session';
import { T } from '../strings';
import { REQUISITION_STATUSES, type Requisition } from '../types';
import { DataTable, DeadlineBadge, formatDay, formatPeriod, RequisitionStatusBadge } from './common';

const R = T.requisitions;

export function RequisitionsPage() {
  const mayCreate = usePermission('evidence_requisition', 'create');
  const mayRead = usePermission('evidence_requisition');
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [status, setStatus] = useState<string | null>(null);
  const { data, error, refetch, isFetching } = useQuery({
    queryKey: ['evidence', 'requisitions', q, status],
    queryFn: () => api<Requisition[]>('/api/evidence/requisitions', { query: { q, status } }),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <PageHeader
        title={R.title}
        actions={
          mayCreate && (
            <Button component={Link} to="/preuves/requisitions/nouvelle">
              {R.create}
            </Button>
          )
        }
      >
        <Text>{mayRead ? R.intro : R.officerIntro}</Text>
      </PageHeader>
      <Group mb="md" align="flex-end" role="search" wrap="wrap">
        <TextInput label={R.search} type="search" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={300} />
        <Select label={R.status} data={REQUISITION_STATUSES.map((s) => ({ value: s, label: T.statuses[s]! }))} value={status} onChange={setStatus} clearable placeholder={R.all} w={200} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && data.length === 0 && <Text>{R.empty}</Text>}
      {data && data.length > 0 && (
        <>
          <DataTable label={R.title} columns={Object.values(R.columns)} minWidth={900} testId="requisitions-table" busy={isFetching}>
            {data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  <Anchor component={Link} to={`/preuves/requisitions/${r.id}`}>
                    {r.number}
                  </Anchor>
                </Table.Td>
                <Table.Td>{r.siteName}</Table.Td>
                <Table.Td>
                  {r.officerName}
                  <Text size="sm">{r.officerService}</Text>
                </Table.Td>
                <Table.Td>{formatPeriod(r.from, r.to)}</Table.Td>
                <Table.Td>
                  <Group gap={6}>
                    {formatDay(r.deadline)}
                    <DeadlineBadge requisition={r} />
                  </Group>
                </Table.Td>
                <Table.Td>
                  <RequisitionStatusBadge status={r.status} />
                </Table.Td>
                <Table.Td>{r.heldSegments}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <Text size="sm" mt="md" role="status" aria-live="polite">
            {S.results(data.length)}
          </Text>
        </>
      )}
    </>
  );
}
