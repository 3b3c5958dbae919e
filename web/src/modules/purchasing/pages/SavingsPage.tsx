import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { NativeSelect, Stack, Table, Text } from '@mantine/core';
import { api } from '../../../app/api';
import { LoadError, Loading, PageHeader, Tile, TileGroup, formatNumber } from '../../../app/components';
import { useMemberScope } from '../../../app/session';
import { T } from '../strings';
import type { SavingsRow } from '../types';

const sum = (rows: SavingsRow[], key: 'savings' | 'poolingGain' | 'paidAmount') => rows.reduce((total, r) => total + Math.round(r[key] * 100), 0) / 100;

export function SavingsPage() {
  const memberId = useMemberScope();
  const thisYear = new Date().getFullYear();
  const [year, setYear] = useState(String(thisYear));
  const { data, error, refetch } = useQuery({
    queryKey: ['purchasing', 'savings', memberId ?? 'all', year],
    queryFn: () => api<SavingsRow[]>('/api/purchasing/savings', { query: { memberId, year } }),
  });
  return (
    <>
      <PageHeader title={T.savings.title}>
        <Text>{T.savings.intro}</Text>
      </PageHeader>
      <Stack gap="xl">
        <NativeSelect label={T.savings.year} value={year} onChange={(e) => setYear(e.currentTarget.value)} data={[0, 1, 2].map((n) => String(thisYear - n))} w={160} />
        {error && <LoadError error={error} onRetry={() => void refetch()} />}
        {!data && !error && <Loading />}
        {data && (
          <>
            <TileGroup title={T.savings.title}>
              <Tile label={T.savings.paid} value={T.money(sum(data, 'paidAmount'))} />
              <Tile label={T.savings.total} value={T.money(sum(data, 'savings'))} />
              <Tile label={T.savings.pooling} value={T.money(sum(data, 'poolingGain'))} />
            </TileGroup>
            {data.length === 0 ? (
              <Text>{T.savings.empty}</Text>
            ) : (
              <Table striped data-testid="savings-table">
                <Table.Thead>
                  <Table.Tr>
                    {Object.values(T.savings.columns).map((label) => (
                      <Table.Th key={label}>{label}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.map((r) => (
                    <Table.Tr key={`${r.memberId}|${r.lotCode}|${r.year}`}>
                      <Table.Td>{r.memberName}</Table.Td>
                      <Table.Td>{T.lots[r.lotCode]}</Table.Td>
                      <Table.Td>{r.year}</Table.Td>
                      <Table.Td>{formatNumber(r.quantity)}</Table.Td>
                      <Table.Td>{T.money(r.listAmount)}</Table.Td>
                      <Table.Td>{T.money(r.soloAmount)}</Table.Td>
                      <Table.Td>{T.money(r.paidAmount)}</Table.Td>
                      <Table.Td>{T.money(r.savings)}</Table.Td>
                      <Table.Td>{T.money(r.poolingGain)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </>
        )}
      </Stack>
    </>
  );
}
