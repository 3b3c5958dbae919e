import { useState } from 'react';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useDebouncedValue } from '@mantine/hooks';
import { Alert, Button, Code, Group, Table, Text, TextInput } from '@mantine/core';
import { api, errorMessage } from '../../../app/api';
import { ListFooter, LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import type { Page } from '../../../app/types';
import { A } from '../strings';
import { TONE } from '../../../app/theme';

interface AuditRecord {
  seq: number;
  at: string;
  actorLabel: string;
  action: string;
  entityType: string;
  entityId: string | null;
  summary: unknown;
}

interface Verification {
  ok: boolean;
  checked: number;
  firstBad?: { seq: number; reason: string };
}

const PAGE_SIZE = 50;
/** A date field (yyyy-mm-dd) as the instant the API filters on; `to` includes its whole day. */
const instant = (day: string, endOfDay: boolean) => (day ? new Date(`${day}T00:00:00`).getTime() + (endOfDay ? 86_400_000 : 0) : undefined);

export function AuditPage() {
  const [q, setQ] = useState('');
  const [action, setAction] = useState('');
  const [entityType, setEntityType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const [filters] = useDebouncedValue({ q: q.trim(), action: action.trim(), entityType: entityType.trim(), from, to }, 300);
  const fromAt = instant(filters.from, false);
  const toAt = instant(filters.to, true);
  const query = {
    q: filters.q,
    action: filters.action,
    entityType: filters.entityType,
    from: fromAt === undefined ? undefined : new Date(fromAt).toISOString(),
    to: toAt === undefined ? undefined : new Date(toAt).toISOString(),
    page,
    pageSize: PAGE_SIZE,
    sort: '-seq',
  };
  const { data, error, refetch } = useQuery({ queryKey: ['audit', query], queryFn: () => api<Page<AuditRecord>>('/api/audit', { query }), placeholderData: keepPreviousData });
  const verify = useMutation({ mutationFn: () => api<Verification>('/api/audit/verify') });
  const filter = (set: (v: string) => void) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.currentTarget.value);
    setPage(1);
  };

  return (
    <>
      <PageHeader title={A.audit.title} actions={<Button onClick={() => verify.mutate()} loading={verify.isPending} loaderProps={{ 'aria-label': A.audit.verifying }}>{A.audit.verify}</Button>}>
        <Text>{A.audit.intro}</Text>
      </PageHeader>
      <div aria-live="polite" data-testid="audit-verification">
        {verify.data && (
          <Alert color={verify.data.ok ? TONE.success : 'red'} variant={verify.data.ok ? 'filled' : 'light'} mb="md" role={verify.data.ok ? 'status' : 'alert'}>
            {verify.data.ok ? A.audit.verifiedOk(verify.data.checked) : A.audit.verifiedBad(verify.data.firstBad?.seq ?? 0, verify.data.firstBad?.reason ?? '')}
          </Alert>
        )}
        {verify.isError && <Alert color="red" mb="md" role="alert">{errorMessage(verify.error)}</Alert>}
      </div>
      <Group align="flex-end" gap="md" mb="md" role="search" wrap="wrap">
        <TextInput label={A.audit.search} description={A.audit.searchHint} type="search" value={q} onChange={filter(setQ)} w={240} />
        <TextInput label={A.audit.action} value={action} onChange={filter(setAction)} w={260} />
        <TextInput label={A.audit.entityType} value={entityType} onChange={filter(setEntityType)} w={160} />
        <TextInput label={A.audit.from} type="date" value={from} onChange={filter(setFrom)} w={160} />
        <TextInput label={A.audit.to} type="date" value={to} onChange={filter(setTo)} w={160} />
      </Group>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped data-testid="audit-table">
              <Table.Caption className="visually-hidden">{A.audit.caption}</Table.Caption>
              <Table.Thead>
                <Table.Tr>{Object.values(A.audit.columns).map((c) => <Table.Th key={c} scope="col">{c}</Table.Th>)}</Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((r) => (
                  <Table.Tr key={r.seq}>
                    <Table.Td>{r.seq}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(r.at)}</Table.Td>
                    <Table.Td>{r.actorLabel}</Table.Td>
                    <Table.Td><Code>{r.action}</Code></Table.Td>
                    <Table.Td>{r.entityType}{r.entityId ? ` ${r.entityId}` : ''}</Table.Td>
                    <Table.Td>
                      <details>
                        <summary>{A.audit.showSummary}</summary>
                        <Code block>{JSON.stringify(r.summary, null, 2)}</Code>
                      </details>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <ListFooter total={data.total} page={data.page} pageSize={data.pageSize} onPage={setPage} />
        </>
      )}
    </>
  );
}
