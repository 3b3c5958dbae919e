import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, Group, SegmentedControl, Table, Text, TextInput } from '@mantine/core';
import { api, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader, formatDateTime } from '../../../app/components';
import { usePermission } from '../../../app/session';
import { TONE } from '../../../app/theme';
import { T } from '../strings';
import type { Asset, Repair } from '../types';

function RepairActions({ repair, onDone }: { repair: Repair; onDone: (message: string | null, error?: string) => void }) {
  const [loan, setLoan] = useState('');
  const act = async (path: string, body?: unknown) => {
    try {
      await api(`/api/education/repairs/${repair.id}/${path}`, { method: 'POST', body: body ?? {} });
      onDone(null);
    } catch (e) {
      onDone(null, errorMessage(e));
    }
  };
  const lend = async () => {
    try {
      const asset = await api<Asset>(`/api/education/assets/by-serial/${encodeURIComponent(loan.trim())}`);
      await act('loan', { loanAssetId: asset.id });
    } catch (e) {
      onDone(null, errorMessage(e));
    }
  };
  return (
    <Group gap="xs">
      {repair.status === 'open' && (
        <Button size="xs" onClick={() => void act('start')}>
          {T.repairs.start}
        </Button>
      )}
      {repair.status !== 'closed' && !repair.loanSerial && repair.holder && (
        <Group gap={4} align="flex-end">
          <TextInput size="xs" aria-label={T.repairs.loanSerial(repair.serial)} placeholder="N° de série" value={loan} onChange={(e) => setLoan(e.currentTarget.value)} w={130} />
          <Button size="xs" variant="outline" disabled={!loan.trim()} onClick={() => void lend()}>
            {T.repairs.lend}
          </Button>
        </Group>
      )}
      {repair.status !== 'closed' &&
        (repair.kind === 'lost_or_stolen' ? ['not_found', 'replaced'] : ['repaired', 'replaced']).map((outcome) => (
          <Button key={outcome} size="xs" variant="light" onClick={() => void act('close', { outcome })}>
            {T.outcomes[outcome]}
          </Button>
        ))}
    </Group>
  );
}

export function RepairsPage() {
  const queryClient = useQueryClient();
  const canHandle = usePermission('education_repair', 'update');
  const [filter, setFilter] = useState('todo');
  const [failure, setFailure] = useState<string | null>(null);
  const { data, error, refetch } = useQuery({ queryKey: ['education', 'repairs'], queryFn: () => api<Repair[]>('/api/education/repairs') });
  const shown = (data ?? []).filter((r) => (filter === 'todo' ? r.status !== 'closed' : r.status === 'closed'));
  const done = async (_message: string | null, err?: string) => {
    setFailure(err ?? null);
    await queryClient.invalidateQueries({ queryKey: ['education'] });
  };
  return (
    <>
      <PageHeader title={T.repairs.title}>
        <Text>{T.repairs.intro}</Text>
      </PageHeader>
      <SegmentedControl
        mb="md"
        aria-label={T.repairs.filter}
        value={filter}
        onChange={setFilter}
        data={[
          { value: 'todo', label: T.repairs.open },
          { value: 'closed', label: T.repairs.closed },
        ]}
      />
      <div aria-live="polite">
        {failure && (
          <Alert color="red" role="alert" mb="sm">
            {failure}
          </Alert>
        )}
      </div>
      {error && <LoadError error={error} onRetry={() => void refetch()} />}
      {!data && !error && <Loading />}
      {data && shown.length === 0 && <Text>{T.repairs.none}</Text>}
      {shown.length > 0 && (
        <Table striped data-testid="repairs-table">
          <Table.Thead>
            <Table.Tr>
              {Object.values(T.repairs.columns)
                .filter((label) => canHandle || label !== T.repairs.columns.actions)
                .map((label) => (
                  <Table.Th key={label}>{label}</Table.Th>
                ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>{formatDateTime(r.reportedAt)}</Table.Td>
                <Table.Td>
                  {r.serial} ({T.types[r.assetType] ?? r.assetType})
                </Table.Td>
                <Table.Td>{r.schoolName ?? '—'}</Table.Td>
                <Table.Td>
                  {T.repairKinds[r.kind] ?? r.kind}
                  <Text size="xs">{r.description}</Text>
                </Table.Td>
                <Table.Td>
                  <Badge variant="filled" tt="none" color={r.status === 'closed' ? 'gray.8' : r.status === 'open' ? TONE.warning : 'blue.8'}>
                    {T.repairStatus[r.status] ?? r.status}
                    {r.outcome ? ` · ${T.outcomes[r.outcome]}` : ''}
                  </Badge>
                </Table.Td>
                <Table.Td>{r.holder ?? '—'}</Table.Td>
                <Table.Td>{r.loanSerial ?? '—'}</Table.Td>
                {canHandle && (
                  <Table.Td>
                    <RepairActions repair={r} onDone={(m, e) => void done(m, e)} />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </>
  );
}
