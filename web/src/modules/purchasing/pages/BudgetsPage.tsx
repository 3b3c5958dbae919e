import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Badge, Button, Group, Progress, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { api, errorMessage } from '../../../app/api';
import { LoadError, Loading, PageHeader } from '../../../app/components';
import { useMemberScope, usePermission } from '../../../app/session';
import { TONE } from '../../../app/theme';
import { T } from '../strings';
import type { Budget } from '../types';

function NewBudget() {
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ memberId: '', year: String(new Date().getFullYear()), programme: '', amount: '' });
  const save = useMutation({
    mutationFn: () => api<Budget>('/api/purchasing/budgets', { method: 'POST', body: { ...values, year: Number(values.year), amount: Number(values.amount.replace(',', '.')) } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['purchasing'] }),
  });
  const set = (field: keyof typeof values) => (e: { currentTarget: { value: string } }) => setValues({ ...values, [field]: e.currentTarget.value });
  return (
    <Stack gap="xs" component="form" onSubmit={(e: FormEvent) => { e.preventDefault(); save.mutate(); }} maw={560} aria-labelledby="budget-new">
      <Title order={2} fz="h4" id="budget-new">
        {T.budgets.create}
      </Title>
      <TextInput label={T.budgets.member} required value={values.memberId} onChange={set('memberId')} />
      <Group grow>
        <TextInput label={T.budgets.year} required type="number" value={values.year} onChange={set('year')} />
        <TextInput label={T.budgets.amount} required inputMode="decimal" value={values.amount} onChange={set('amount')} />
      </Group>
      <TextInput label={T.budgets.programme} required value={values.programme} onChange={set('programme')} />
      <div aria-live="polite">
        {save.error && (
          <Alert color="red" role="alert">
            {errorMessage(save.error)}
          </Alert>
        )}
      </div>
      <Group>
        <Button type="submit" loading={save.isPending}>
          {T.budgets.save}
        </Button>
      </Group>
    </Stack>
  );
}

export function BudgetsPage() {
  const memberId = useMemberScope();
  const mayCreate = usePermission('purchasing_budget', 'create');
  const { data, error, refetch } = useQuery({ queryKey: ['purchasing', 'budgets', memberId ?? 'all'], queryFn: () => api<Budget[]>('/api/purchasing/budgets', { query: { memberId } }) });
  return (
    <>
      <PageHeader title={T.budgets.title}>
        <Text>{T.budgets.intro}</Text>
      </PageHeader>
      <Stack gap="xl">
        {error && <LoadError error={error} onRetry={() => void refetch()} />}
        {!data && !error && <Loading />}
        {data && (
          <Table striped data-testid="budgets-table">
            <Table.Thead>
              <Table.Tr>
                {Object.values(T.budgets.columns).map((label) => (
                  <Table.Th key={label}>{label}</Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((b) => (
                <Table.Tr key={b.id}>
                  <Table.Td>{b.memberName}</Table.Td>
                  <Table.Td>{b.year}</Table.Td>
                  <Table.Td>{b.programme}</Table.Td>
                  <Table.Td>{T.money(b.amount)}</Table.Td>
                  <Table.Td>{T.money(b.committed)}</Table.Td>
                  <Table.Td>{T.money(b.consumed)}</Table.Td>
                  <Table.Td>{T.money(b.available)}</Table.Td>
                  <Table.Td miw={160}>
                    <Progress value={Math.min(100, b.usage * 100)} color={b.level === 'ok' ? 'blue.8' : b.level === 'warning' ? TONE.warning : 'red.9'} aria-label={`${b.programme} : ${T.percent(b.usage)}`} />
                    <Group gap={4} mt={4}>
                      <Text size="sm">{T.percent(b.usage)}</Text>
                      {b.level !== 'ok' && (
                        <Badge size="sm" variant="filled" tt="none" color={b.level === 'warning' ? TONE.warning : 'red.9'}>
                          {T.budgets.level[b.level]}
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {mayCreate && <NewBudget />}
      </Stack>
    </>
  );
}
